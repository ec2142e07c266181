using System.Text.Json;

namespace LayerFs.Store.Oci;

/// <summary>An OCI image index (index.json, or a nested index / docker manifest list).</summary>
public sealed record ImageIndex(IReadOnlyList<Descriptor> Manifests)
{
    public static ImageIndex Parse(ReadOnlyMemory<byte> data, string what)
    {
        using var doc = Json.Parse(data, what);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidImageException($"{what}: not a JSON object");
        if (root.TryGetProperty("schemaVersion", out var sv) && (sv.ValueKind != JsonValueKind.Number || sv.GetInt32() != 2))
            throw new InvalidImageException($"{what}: unsupported schemaVersion (expected 2)");
        var mediaType = Json.OptionalString(root, "mediaType");
        if (mediaType is not null && !MediaTypes.IsIndex(mediaType))
            throw new InvalidImageException($"{what}: media type '{Escape.Text(mediaType)}' is not an image index");
        var list = new List<Descriptor>();
        var i = 0;
        foreach (var m in Json.RequiredArray(root, "manifests", what).EnumerateArray())
            list.Add(Descriptor.Parse(m, $"{what}: manifests[{i++}]"));
        return new ImageIndex(list);
    }
}
