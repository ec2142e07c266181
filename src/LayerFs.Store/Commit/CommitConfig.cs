using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LayerFs.Store.Commit;

/// <summary>
/// The config of a committed image: the parent image's config, every field kept as it was,
/// with the new layer's diff_id added to rootfs.diff_ids, a history entry for it
/// ({created, created_by: "layerfs commit", comment}), and the new creation time.
/// </summary>
internal static class CommitConfig
{
    public const string CreatedBy = "layerfs commit";

    public static byte[] Make(byte[] parentConfig, Digest newDiffId, string? message, DateTimeOffset created)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(parentConfig) as JsonObject
                ?? throw new StoreException("the image's config is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new StoreException($"the image's config cannot be extended: {e.Message}", e);
        }

        var time = created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        root["created"] = time;

        if (root["rootfs"] is not JsonObject rootfs)
            root["rootfs"] = rootfs = new JsonObject { ["type"] = "layers" };
        if (rootfs["diff_ids"] is not JsonArray diffIds)
            rootfs["diff_ids"] = diffIds = [];
        diffIds.Add((JsonNode?)JsonValue.Create(newDiffId.ToString()));

        if (root["history"] is not JsonArray history)
            root["history"] = history = [];
        var entry = new JsonObject { ["created"] = time, ["created_by"] = CreatedBy };
        if (!string.IsNullOrEmpty(message))
            entry["comment"] = message;
        history.Add((JsonNode)entry);

        return System.Text.Encoding.UTF8.GetBytes(root.ToJsonString());
    }
}
