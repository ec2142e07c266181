using System.Globalization;
using System.Text.Json.Serialization;

namespace LayerFs.DeviceMapper;

/// <summary>
/// The pool's geometry. Defaults as docker's loop-lvm mode: 100 GiB data, 2 GiB metadata (both sparse),
/// 64 KiB blocks, 10 GiB per thin device. Overridden by LAYERFS_DM_DATA_SIZE, LAYERFS_DM_METADATA_SIZE,
/// LAYERFS_DM_BLOCK_SIZE and LAYERFS_DM_BASE_SIZE (bytes, or with a K, M, G or T suffix) when the pool
/// is made; afterwards the sizes recorded in pool.json hold.
/// </summary>
internal sealed class PoolOptions
{
    [JsonPropertyName("data_size")]
    public long DataSize { get; set; } = 100L << 30;

    [JsonPropertyName("metadata_size")]
    public long MetadataSize { get; set; } = 2L << 30;

    [JsonPropertyName("block_size")]
    public long BlockSize { get; set; } = 64 << 10;

    [JsonPropertyName("base_size")]
    public long BaseSize { get; set; } = 10L << 30;

    public static PoolOptions FromEnvironment()
    {
        var options = new PoolOptions();
        options.DataSize = Size("LAYERFS_DM_DATA_SIZE", options.DataSize);
        options.MetadataSize = Size("LAYERFS_DM_METADATA_SIZE", options.MetadataSize);
        options.BlockSize = Size("LAYERFS_DM_BLOCK_SIZE", options.BlockSize);
        options.BaseSize = Size("LAYERFS_DM_BASE_SIZE", options.BaseSize);
        // dm-thin: blocks of 64 KiB to 1 GiB, a multiple of 64 KiB; devices a whole number of sectors.
        if (options.BlockSize < 64 << 10 || options.BlockSize > 1L << 30 || options.BlockSize % (64 << 10) != 0)
            throw new DeviceMapperException($"LAYERFS_DM_BLOCK_SIZE: {options.BlockSize} bytes is not a multiple of 64 KiB from 64 KiB to 1 GiB");
        if (options.MetadataSize < 2 << 20 || options.DataSize < options.BlockSize * 16 || options.BaseSize < 16 << 20)
            throw new DeviceMapperException("LAYERFS_DM_*_SIZE: metadata needs at least 2 MiB, data at least 16 blocks, a thin device at least 16 MiB");
        options.BaseSize -= options.BaseSize % 512;
        return options;
    }

    private static long Size(string variable, long fallback)
    {
        var text = Environment.GetEnvironmentVariable(variable)?.Trim();
        if (string.IsNullOrEmpty(text))
            return fallback;
        var shift = char.ToUpperInvariant(text[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
        var digits = shift == 0 ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0 || value > (long.MaxValue >> shift))
            throw new DeviceMapperException($"{variable}={text}: expected a size such as 100G, 512M or 65536");
        return value << shift;
    }
}
