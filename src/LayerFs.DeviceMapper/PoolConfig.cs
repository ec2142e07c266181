using System.Text.Json.Serialization;

namespace LayerFs.DeviceMapper;

/// <summary>pool.json: the pool's geometry as made, and the id that names its devices (layerfs-ID-pool, layerfs-ID-N).</summary>
internal sealed class PoolConfig
{
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("options")]
    public PoolOptions Options { get; set; } = new();
}
