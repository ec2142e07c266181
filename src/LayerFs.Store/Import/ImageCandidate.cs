using LayerFs.Store.Import.Sources;

namespace LayerFs.Store.Import;

/// <summary>
/// One image found in a source. Manifest and config are read and verified up front where the
/// source has them; sources that have none (docker archives have no manifest, legacy docker
/// archives and plain layer tars no OCI config) get them generated once the layers are read.
/// </summary>
internal sealed class ImageCandidate
{
    public required IReadOnlyList<LayerBlob> Layers { get; init; }
    public required IReadOnlyList<string> Tags { get; init; }

    /// <summary>The config as the source holds it, digest already checked where the source states one.</summary>
    public byte[]? ConfigBytes { get; init; }

    /// <summary>Makes the config from the layers' diff_ids when the source has none.</summary>
    public Func<IReadOnlyList<Digest>, byte[]>? MakeConfig { get; init; }

    /// <summary>The manifest as the source holds it (verified), or null to generate one.</summary>
    public byte[]? ManifestBytes { get; init; }

    /// <summary>Media type of the generated manifest (and of its layer and config descriptors).</summary>
    public string GeneratedManifestMediaType { get; init; } = Oci.MediaTypes.OciManifest;
}

/// <summary>
/// A layer blob in a source. BlobDigest is null when the source does not state it (docker
/// archives): it is then what the content hashes to.
/// </summary>
internal sealed record LayerBlob(string MediaType, Digest? BlobDigest, long Size, Compression Compression, ISourceFiles Files, string Path)
{
    /// <summary>The diff_id the config promises, when known before reading.</summary>
    public Digest? ExpectedDiffId { get; init; }
}
