namespace LayerFs.Store;

/// <summary>
/// Where things live inside a store directory:
/// <code>
///   index.db             SQLite index (WAL)
///   lock                 flock()ed by every command that changes the store
///   blobs/sha256/HEX     content store: manifests, configs, indexes, compressed layer blobs
///   objects/XX/HEX       one immutable file per distinct regular-file content (XX = first two hex digits)
///   ingest/              files being written; renamed into blobs/ or objects/ once verified
///   views/               writable views' upper directories
///   leases/              one flock()ed file per lease: what a mount still reads, kept from prune
/// </code>
/// Every directory is created when the store is created, so that a failed command
/// leaves the tree exactly as it found it.
/// </summary>
public sealed class StoreLayout
{
    public StoreLayout(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }
    public string IndexPath => Path.Combine(Root, "index.db");
    public string LockPath => Path.Combine(Root, "lock");
    public string BlobsDir => Path.Combine(Root, "blobs", "sha256");
    public string ObjectsDir => Path.Combine(Root, "objects");
    public string IngestDir => Path.Combine(Root, "ingest");
    public string ViewsDir => Path.Combine(Root, "views");
    public string LeasesDir => Path.Combine(Root, "leases");

    public string BlobPath(Digest digest) => Path.Combine(BlobsDir, digest.Hex);

    public string ObjectPath(string hex) => Path.Combine(ObjectsDir, hex[..2], hex);

    public string ObjectPath(ReadOnlySpan<byte> hash) => ObjectPath(Convert.ToHexStringLower(hash));

    /// <summary>The default store: $LAYERFS_STORE, else /var/lib/layerfs for root, else ~/.local/share/layerfs.</summary>
    public static string DefaultRoot()
    {
        var env = Environment.GetEnvironmentVariable("LAYERFS_STORE");
        if (!string.IsNullOrEmpty(env))
            return env;
        if (Environment.UserName == "root" || Posix.GetEffectiveUserId() == 0)
            return "/var/lib/layerfs";
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".local", "share", "layerfs");
    }
}
