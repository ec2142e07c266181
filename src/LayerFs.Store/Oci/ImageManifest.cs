using System.Text.Json;

namespace LayerFs.Store.Oci;

/// <summary>An image manifest (OCI or docker schema 2): the config and the layers, bottom first.</summary>
public sealed record ImageManifest(string MediaType, Descriptor Config, IReadOnlyList<Descriptor> Layers)
{
    public static ImageManifest Parse(ReadOnlyMemory<byte> data, string? descriptorMediaType, string what)
    {
        using var doc = Json.Parse(data, what);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidImageException($"{what}: not a JSON object");
        if (!root.TryGetProperty("schemaVersion", out var sv) || sv.ValueKind != JsonValueKind.Number || !sv.TryGetInt32(out var version) || version != 2)
            throw new InvalidImageException($"{what}: unsupported schemaVersion (expected 2)");
        var mediaType = Json.OptionalString(root, "mediaType") ?? descriptorMediaType ?? MediaTypes.OciManifest;
        if (!MediaTypes.IsManifest(mediaType))
            throw new InvalidImageException($"{what}: media type '{Escape.Text(mediaType)}' is not an image manifest");
        if (descriptorMediaType is not null && Json.OptionalString(root, "mediaType") is { } own && own != descriptorMediaType)
            throw new InvalidImageException($"{what}: its media type '{Escape.Text(own)}' differs from its descriptor's '{Escape.Text(descriptorMediaType)}'");
        if (!root.TryGetProperty("config", out var configElement))
            throw new InvalidImageException($"{what}: missing 'config'");
        var config = Descriptor.Parse(configElement, $"{what}: config");
        if (!MediaTypes.IsConfig(config.MediaType))
            throw new InvalidImageException($"{what}: unknown config media type '{Escape.Text(config.MediaType)}'");
        var layers = new List<Descriptor>();
        var i = 0;
        foreach (var l in Json.RequiredArray(root, "layers", what).EnumerateArray())
        {
            var layer = Descriptor.Parse(l, $"{what}: layers[{i}]");
            if (MediaTypes.LayerCompression(layer.MediaType) is null)
                throw new InvalidImageException($"{what}: layers[{i}] has unknown media type '{Escape.Text(layer.MediaType)}'");
            layers.Add(layer);
            i++;
        }
        return new ImageManifest(mediaType, config, layers);
    }
}
