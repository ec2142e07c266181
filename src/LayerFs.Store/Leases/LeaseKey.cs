namespace LayerFs.Store.Leases;

/// <summary>What a lease can keep from garbage collection.</summary>
public enum LeaseKind
{
    /// <summary>A chain, with its ancestors, their layers, entries and objects (what a rootfs, diff/ or layer.tar reads).</summary>
    Chain,

    /// <summary>A blob of the content store (an image's json or manifest.json).</summary>
    Blob,
}

/// <summary>One thing a lease protects, as one line of a lease file: "chain sha256:..." or "blob sha256:...".</summary>
public readonly record struct LeaseKey(LeaseKind Kind, Digest Digest)
{
    public static LeaseKey Chain(Digest chainId) => new(LeaseKind.Chain, chainId);

    public static LeaseKey Blob(Digest digest) => new(LeaseKind.Blob, digest);

    public override string ToString() => $"{(Kind == LeaseKind.Chain ? "chain" : "blob")} {Digest}";

    public static bool TryParse(string line, out LeaseKey key)
    {
        key = default;
        var space = line.IndexOf(' ');
        if (space < 0 || !Digest.TryParse(line[(space + 1)..], out var digest))
            return false;
        switch (line[..space])
        {
            case "chain":
                key = Chain(digest);
                return true;
            case "blob":
                key = Blob(digest);
                return true;
            default:
                return false;
        }
    }
}
