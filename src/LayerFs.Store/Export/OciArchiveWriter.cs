using System.Text.Json;
using LayerFs.Store.Import;
using LayerFs.Store.Model;
using LayerFs.Store.Oci;

namespace LayerFs.Store.Export;

/// <summary>
/// Writes an oci-archive: an OCI image layout in a tar, with index.json naming the image's
/// manifest (annotated with org.opencontainers.image.ref.name when the image has a name).
/// An OCI manifest is written as stored, byte for byte, so the digests stay those of the store;
/// a docker schema 2 manifest (from a docker archive) is rewritten as an OCI one over the same
/// blobs and config, so the image id stays the same.
/// </summary>
internal static class OciArchiveWriter
{
    private const string LayoutFile = """{"imageLayoutVersion":"1.0.0"}""";

    public static void Write(ExportedImage image, ArchiveTar tar)
    {
        var (manifestType, manifest) = OciManifest(image);
        var manifestDigest = Digest.Of(manifest);

        tar.File("oci-layout", System.Text.Encoding.UTF8.GetBytes(LayoutFile));
        tar.File("index.json", Index(manifestType, manifestDigest, manifest.Length, image.RefName));
        tar.Directory("blobs/");
        tar.Directory("blobs/sha256/");
        tar.File("blobs/sha256/" + image.Info.Id.Hex, image.Config);
        tar.File("blobs/sha256/" + manifestDigest.Hex, manifest);
        foreach (var layer in image.Info.Layers.DistinctBy(l => l.BlobDigest))
        {
            using var blob = image.OpenBlob(layer);
            tar.File("blobs/sha256/" + layer.BlobDigest.Hex, layer.BlobSize, blob);
        }
    }

    private static (string MediaType, byte[] Bytes) OciManifest(ExportedImage image)
    {
        if (image.Info.ManifestMediaType == MediaTypes.OciManifest)
            return (MediaTypes.OciManifest, image.Manifest);
        var layers = image.Info.Layers.Select(l => (l.BlobDigest, OciLayerType(l.MediaType), l.BlobSize)).ToList();
        return (MediaTypes.OciManifest, ImageImporter.GenerateManifest(MediaTypes.OciManifest, image.Info.Id, image.Config.Length, layers));
    }

    private static string OciLayerType(string mediaType) => mediaType switch
    {
        MediaTypes.DockerLayer => MediaTypes.OciLayer,
        MediaTypes.DockerLayerGzip => MediaTypes.OciLayerGzip,
        MediaTypes.DockerLayerZstd => MediaTypes.OciLayerZstd,
        _ => mediaType,
    };

    private static byte[] Index(string manifestType, Digest manifest, long size, string? refName)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", MediaTypes.OciIndex);
            w.WriteStartArray("manifests");
            w.WriteStartObject();
            w.WriteString("mediaType", manifestType);
            w.WriteString("digest", manifest.ToString());
            w.WriteNumber("size", size);
            if (refName is not null)
            {
                w.WriteStartObject("annotations");
                w.WriteString("org.opencontainers.image.ref.name", refName);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
