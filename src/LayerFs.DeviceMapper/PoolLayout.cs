using LayerFs.Store;

namespace LayerFs.DeviceMapper;

/// <summary>
/// STORE/devicemapper/: the pool's files and the snapshotter's records. Not under STORE/views/,
/// which prune may sweep: a record must outlive its view's row until its device is deleted.
/// </summary>
internal sealed class PoolLayout
{
    public PoolLayout(StoreLayout store)
    {
        Root = Path.Combine(store.Root, "devicemapper");
        StoreRoot = store.Root;
    }

    public string Root { get; }
    public string StoreRoot { get; }

    /// <summary>The pool's data, a sparse file behind a loop device.</summary>
    public string DataFile => Path.Combine(Root, "data");

    /// <summary>The pool's metadata (thin_check can read it when the pool is inactive).</summary>
    public string MetadataFile => Path.Combine(Root, "metadata");

    /// <summary>The sizes the pool was made with (pool.json).</summary>
    public string PoolFile => Path.Combine(Root, "pool.json");

    /// <summary>One record per thin device (devices/&lt;key&gt;.json).</summary>
    public string DevicesDir => Path.Combine(Root, "devices");

    /// <summary>The open transaction, present only between its first step and its commit.</summary>
    public string TransactionFile => Path.Combine(Root, "transaction.json");

    public string LockFile => Path.Combine(Root, "lock");

    /// <summary>Private mountpoints (an image's rootfs, a base device being filled), named after their process.</summary>
    public string TemporaryDir => Path.Combine(Root, "tmp");

    public string RecordFile(string key) => Path.Combine(DevicesDir, key + ".json");

    public string ViewMountpoint(string viewName) => Path.Combine(StoreRoot, "views", viewName, "rootfs");
}
