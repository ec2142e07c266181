using System.IO.Compression;

namespace LayerFs.Store.Import;

public enum Compression
{
    None,
    Gzip,
    Zstd,
}

/// <summary>Recognises layer compression from media types and from magic bytes, and opens decompressors.</summary>
public static class Compressions
{
    public static Compression FromMagic(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b)
            return Compression.Gzip;
        if (head.Length >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd)
            return Compression.Zstd;
        return Compression.None;
    }

    public static Stream Decompress(Stream compressed, Compression compression) => compression switch
    {
        Compression.None => compressed,
        Compression.Gzip => new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: false),
        Compression.Zstd => new ZstdSharp.DecompressionStream(compressed, leaveOpen: false),
        _ => throw new ArgumentOutOfRangeException(nameof(compression)),
    };
}
