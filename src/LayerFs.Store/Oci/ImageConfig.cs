using System.Text.Json;

namespace LayerFs.Store.Oci;

/// <summary>What LayerFs reads from an image config: the layers' diff_ids, platform, creation time and history.</summary>
public sealed record ImageConfig(
    IReadOnlyList<Digest> DiffIds,
    string? Os,
    string? Architecture,
    string? Created,
    IReadOnlyList<HistoryEntry> History)
{
    public static ImageConfig Parse(ReadOnlyMemory<byte> data, string what)
    {
        using var doc = Json.Parse(data, what);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidImageException($"{what}: not a JSON object");
        if (!root.TryGetProperty("rootfs", out var rootfs) || rootfs.ValueKind != JsonValueKind.Object)
            throw new InvalidImageException($"{what}: missing 'rootfs'");
        if (Json.OptionalString(rootfs, "type") is not "layers")
            throw new InvalidImageException($"{what}: rootfs.type must be \"layers\"");
        var diffIds = new List<Digest>();
        foreach (var d in Json.RequiredArray(rootfs, "diff_ids", $"{what}: rootfs").EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.String || !Digest.TryParse(d.GetString(), out var digest))
                throw new InvalidImageException($"{what}: malformed diff_id");
            diffIds.Add(digest);
        }
        var history = new List<HistoryEntry>();
        if (root.TryGetProperty("history", out var h) && h.ValueKind == JsonValueKind.Array)
            foreach (var e in h.EnumerateArray())
                history.Add(new HistoryEntry(
                    Json.OptionalString(e, "created"),
                    Json.OptionalString(e, "created_by"),
                    Json.OptionalString(e, "comment"),
                    e.ValueKind == JsonValueKind.Object && e.TryGetProperty("empty_layer", out var el) && el.ValueKind == JsonValueKind.True));
        return new ImageConfig(diffIds, Json.OptionalString(root, "os"), Json.OptionalString(root, "architecture"), Json.OptionalString(root, "created"), history);
    }
}

public sealed record HistoryEntry(string? Created, string? CreatedBy, string? Comment, bool EmptyLayer);
