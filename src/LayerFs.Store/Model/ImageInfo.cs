namespace LayerFs.Store.Model;

/// <summary>An image as the index knows it.</summary>
public sealed record ImageInfo(
    Digest Id,
    Digest ManifestDigest,
    string ManifestMediaType,
    string? Created,
    string? Os,
    string? Architecture,
    IReadOnlyList<string> Tags,
    IReadOnlyList<ImageLayerInfo> Layers,
    DateTimeOffset ImportedAt)
{
    /// <summary>Sum of the layers' uncompressed tar sizes.</summary>
    public long Size => Layers.Sum(l => l.TarSize);
}

/// <summary>One layer of an image, bottom first.</summary>
public sealed record ImageLayerInfo(
    int Position,
    Digest ChainId,
    Digest DiffId,
    Digest BlobDigest,
    string MediaType,
    long BlobSize,
    long TarSize);

/// <summary>A stored layer, as listed by `layerfs layers`.</summary>
public sealed record LayerInfo(
    long Id,
    Digest DiffId,
    long TarSize,
    long EntryCount,
    long RootEntry,
    IReadOnlyList<Digest> ChainIds);

/// <summary>A chain (a layer in its stack position), as layers/&lt;chain-id&gt; shows it.</summary>
public sealed record ChainInfo(
    Digest ChainId,
    Digest? Parent,
    Digest DiffId,
    int Depth,
    long LayerId,
    long RootEntry);
