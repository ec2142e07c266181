using System.Text.Json.Serialization;

namespace LayerFs.DeviceMapper;

/// <summary>Where a thin device is in its life; persisted, so the next start knows what to finish or undo.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeviceState>))]
internal enum DeviceState
{
    /// <summary>An image's base device made and being filled: an unfinished fill is deleted and done again.</summary>
    Filling,

    /// <summary>Complete: a filled base, or a view's snapshot.</summary>
    Ready,

    /// <summary>Being removed: the next start finishes (unmount, deactivate, delete).</summary>
    Removing,
}

/// <summary>
/// One thin device in the pool: an image's base (key "image-HEX") or a view (key "view-NAME").
/// Written after the pool has the device and before the pool's transaction id commits it.
/// </summary>
internal sealed class DeviceRecord
{
    public const string ImagePrefix = "image-";
    public const string ViewPrefix = "view-";

    [JsonPropertyName("key")]
    public string Key { get; set; } = "";

    [JsonPropertyName("device_id")]
    public int DeviceId { get; set; }

    [JsonPropertyName("origin_id")]
    public int? OriginId { get; set; }

    [JsonPropertyName("size")]
    public long Size { get; set; }

    [JsonPropertyName("transaction_id")]
    public long TransactionId { get; set; }

    [JsonPropertyName("state")]
    public DeviceState State { get; set; }

    /// <summary>
    /// A view's: when its base was filled (unix ns). Files whose ctime is older are the image's
    /// own copies, which the diff need not read (see TreeComparison).
    /// </summary>
    [JsonPropertyName("base_filled_at_ns")]
    public long? BaseFilledAtNs { get; set; }

    public static string ImageKey(string imageHex) => ImagePrefix + imageHex;

    public static string ViewKey(string viewName) => ViewPrefix + viewName;

    [JsonIgnore]
    public bool IsView => Key.StartsWith(ViewPrefix, StringComparison.Ordinal);

    [JsonIgnore]
    public string Name => IsView ? Key[ViewPrefix.Length..] : Key[ImagePrefix.Length..];
}

/// <summary>A pool change under way: its first step is written before the pool is told, and the file goes once the pool's transaction id is set.</summary>
internal sealed class OpenTransaction
{
    [JsonPropertyName("open_transaction_id")]
    public long OpenTransactionId { get; set; }

    [JsonPropertyName("key")]
    public string Key { get; set; } = "";

    [JsonPropertyName("device_id")]
    public int DeviceId { get; set; }

    /// <summary>"create" or "delete".</summary>
    [JsonPropertyName("operation")]
    public string Operation { get; set; } = "";
}
