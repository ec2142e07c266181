using LayerFs.Store;
using LayerFs.Store.Leases;
using Serilog;

namespace LayerFs.Mount.Tree;

/// <summary>
/// The store leases of a mount: one per chain or blob that some node the kernel holds reads
/// from (<see cref="Node.Lease"/>), taken when the first such node enters the node table and
/// given back when the last leaves it (FORGET). The kernel keeps a node while a file of it is
/// open or a process has a directory of it as cwd, so `rmi` and `prune` leave an image's rows
/// and objects alone for exactly as long as something under its rootfs, diff/ or layer.tar is
/// in use. Counting is per key, so the hot path (a lookup of a file under a rootfs already in
/// use) costs one dictionary update under a lock, no file operation.
/// </summary>
internal sealed class NodeLeases : IDisposable
{
    private readonly LeaseDirectory _directory;
    private readonly Lock _lock = new();
    private readonly Dictionary<LeaseKey, Held> _held = [];
    private bool _disposed;
    private bool _warned;

    public NodeLeases(StoreLayout layout) => _directory = new LeaseDirectory(layout);

    /// <summary>How many leases the mount holds (for tests).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _held.Values.Count(h => h.Lease is not null);
        }
    }

    /// <summary>One more node reads from key; the first takes the lease (a file under leases/).</summary>
    public void Hold(LeaseKey key)
    {
        Held held;
        lock (_lock)
        {
            if (_disposed)
                return;
            if (!_held.TryGetValue(key, out held!))
                _held[key] = held = new Held();
            held.Count++;
            if (held.Count > 1)
                return;
        }
        // Outside the table lock: creating a file is slow next to a lookup. A Release that comes
        // in between finds Count 0 and no lease yet, and this thread then sees Count 0 too.
        lock (held)
        {
            if (held.Count == 0 || held.Lease is not null)
                return;
            try
            {
                held.Lease = _directory.Take([key]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A store we may not write (mounted by another user, read-only media): the mount
                // works, without keeping prune away.
                if (!_warned)
                    Log.Warning("cannot take store leases, so prune may remove images in use: {Error}", e.Message);
                _warned = true;
            }
        }
    }

    /// <summary>A node that read from key has left; the last one gives the lease back.</summary>
    public void Release(LeaseKey key)
    {
        Held? held;
        lock (_lock)
        {
            if (!_held.TryGetValue(key, out held) || --held.Count > 0)
                return;
            _held.Remove(key);
        }
        lock (held)
        {
            held.Lease?.Dispose();
            held.Lease = null;
        }
    }

    public void Dispose()
    {
        List<Held> all;
        lock (_lock)
        {
            _disposed = true;
            all = [.. _held.Values];
            _held.Clear();
        }
        foreach (var held in all)
            lock (held)
            {
                held.Lease?.Dispose();
                held.Lease = null;
            }
    }

    private sealed class Held
    {
        public int Count;
        public Lease? Lease;
    }
}
