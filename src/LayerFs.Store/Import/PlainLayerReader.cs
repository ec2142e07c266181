using System.Text.Json.Nodes;
using LayerFs.Store.Import.Sources;
using LayerFs.Store.Oci;

namespace LayerFs.Store.Import;

/// <summary>
/// A plain layer tarball (.tar, .tar.gz, .tar.zst) becomes a one-layer image with a generated
/// config and OCI manifest. The config holds nothing that varies between imports (no time), so
/// importing the same tarball twice gives the same image id.
/// </summary>
internal static class PlainLayerReader
{
    public static ImageCandidate Read(SingleFile file, Compression compression, ImportOptions options, string defaultRepository)
    {
        var size = file.SizeOf(SingleFile.Name)!.Value;
        var mediaType = compression switch
        {
            Compression.Gzip => MediaTypes.OciLayerGzip,
            Compression.Zstd => MediaTypes.OciLayerZstd,
            _ => MediaTypes.OciLayer,
        };
        var platform = Platform.ParseOrDefault(options.Platform);
        var source = Path.GetFileName(file.Description);
        return new ImageCandidate
        {
            Layers = [new LayerBlob(mediaType, null, size, compression, file, SingleFile.Name)],
            Tags = [options.Name is not null ? ImageReference.Normalise(options.Name) : defaultRepository + ":latest"],
            MakeConfig = diffIds => Json.ToUtf8Bytes(new JsonObject
            {
                ["architecture"] = platform.Architecture,
                ["os"] = platform.Os,
                ["config"] = new JsonObject(),
                ["rootfs"] = new JsonObject
                {
                    ["type"] = "layers",
                    ["diff_ids"] = new JsonArray(diffIds.Select(d => (JsonNode)JsonValue.Create(d.ToString())).ToArray()),
                },
                ["history"] = new JsonArray(new JsonObject { ["created_by"] = $"layerfs import {source}" }),
            }),
        };
    }
}
