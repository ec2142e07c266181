using LayerFs.Fuse;
using LayerFs.Mount.Tree;
using LayerFs.Mount.Tree.Nodes;
using Serilog;

namespace LayerFs.Mount.Daemon;

/// <summary>
/// Watches the index generation (bumped by every import, tag and rmi) and tells the kernel to
/// drop what it may have cached of images/ and layers/: the names that came, went or now name
/// another image. The tree already answers every images/ request from the current generation
/// with the shortest timeouts the kernel knows; this makes a change visible even to a dentry the kernel would otherwise
/// still trust, and runs on its own thread, never inside a request (the kernel takes the
/// directory's lock to apply a notification).
/// </summary>
internal sealed class ChangeWatcher : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly TreeContext _tree;
    private readonly FuseNotifier _notifier;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly System.Collections.Concurrent.ConcurrentQueue<(Catalog Before, Catalog After)> _changes = new();

    public ChangeWatcher(TreeContext tree, FuseNotifier notifier)
    {
        _tree = tree;
        _notifier = notifier;
        // Every catalog replaced, whoever loaded the new one (a request, or this thread): a
        // change seen first by a request is told to the kernel too.
        _tree.Catalogs.Changed += OnChanged;
        _thread = new Thread(Run) { IsBackground = true, Name = "layerfs-watch" };
        _thread.Start();
    }

    private void OnChanged(Catalog? before, Catalog after)
    {
        if (before is not null)
            _changes.Enqueue((before, after));
    }

    private void Run()
    {
        while (!_stop.Token.WaitHandle.WaitOne(Interval))
        {
            try
            {
                // Nothing under images/ or layers/ has been asked for yet: nothing to tell the kernel,
                // and no reason to read the catalog (a fresh mount never scans the store).
                if (_tree.Catalogs.Loaded is null)
                    continue;
                _ = _tree.Catalog; // loads a newer generation, if any (raising Changed)
                while (_changes.TryDequeue(out var change))
                    Notify(change.Before, change.After);
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or InvalidOperationException)
            {
                Log.Debug("watching the index: {Error}", e.Message);
            }
        }
        _tree.Readers.ReleaseCurrent();
    }

    private void Notify(Catalog before, Catalog after)
    {
        Log.Information("store changed (generation {Before} -> {After})", before.Generation, after.Generation);
        foreach (var node in _tree.Nodes.Find(n => n is ImagesDirectory or LayersDirectory))
        {
            IEnumerable<string> changed = node is ImagesDirectory images
                ? images.ChangedNames(before, after)
                : LayersDirectory.ChangedNames(before, after);
            foreach (var name in changed)
                _notifier.InvalidateEntry(node.NodeId, name);
            _notifier.InvalidateInode(node.NodeId, 0, 0);
        }
    }

    public void Dispose()
    {
        _tree.Catalogs.Changed -= OnChanged;
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}
