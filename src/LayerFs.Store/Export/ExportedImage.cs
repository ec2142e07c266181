using LayerFs.Store.Model;

namespace LayerFs.Store.Export;

/// <summary>An image being exported: its index record, config and manifest bytes, and readers for its layers.</summary>
internal sealed record ExportedImage(
    ImageInfo Info,
    byte[] Config,
    byte[] Manifest,
    string? RefName,
    Func<ImageLayerInfo, Stream> OpenBlob,
    Func<ImageLayerInfo, Stream> OpenTar);
