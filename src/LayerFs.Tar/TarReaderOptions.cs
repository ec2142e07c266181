namespace LayerFs.Tar;

/// <summary>Limits that keep a hostile archive from exhausting memory or disk.</summary>
public sealed class TarReaderOptions
{
    /// <summary>Largest PAX extended header, and largest GNU long name/link, in bytes.</summary>
    public int MaxExtensionHeaderSize { get; init; } = 1 << 20;

    /// <summary>Largest size any one entry may declare.</summary>
    public long MaxEntrySize { get; init; } = 1L << 40;

    public static TarReaderOptions Default { get; } = new();
}
