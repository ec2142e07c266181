namespace LayerFs.Store.Import;

/// <summary>What `layerfs import` was asked for, and the limits that keep hostile archives in check.</summary>
public sealed class ImportOptions
{
    /// <summary>NAME:TAG to give the image (required for a plain layer tar; else taken from the archive).</summary>
    public string? Name { get; init; }

    /// <summary>os/arch[/variant] to pick from an image index; default linux and this machine's architecture.</summary>
    public string? Platform { get; init; }

    /// <summary>The largest uncompressed layer accepted.</summary>
    public long MaxLayerSize { get; init; } = 256L << 30;

    /// <summary>
    /// Decompression-bomb guard: once a layer has expanded past <see cref="BombFloor"/>, its
    /// uncompressed size may be at most this many times what was read of its blob.
    /// </summary>
    public double MaxCompressionRatio { get; init; } = 200;

    public long BombFloor { get; init; } = 1L << 30;

    /// <summary>Reports progress: bytes of layer blobs read so far, of the total.</summary>
    public IProgress<ImportProgress>? Progress { get; init; }
}

public readonly record struct ImportProgress(long BytesDone, long BytesTotal, string Stage);
