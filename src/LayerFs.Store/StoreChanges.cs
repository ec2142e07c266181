namespace LayerFs.Store;

/// <summary>
/// The files a command has added to blobs/ and objects/ so far. If the command fails, Rollback
/// deletes exactly those, so the store is as it was; if it succeeds, MakeDurable flushes them
/// before the index transaction that makes them reachable commits. A process killed between
/// the two leaves only unreferenced files, which `prune` removes.
/// </summary>
public sealed class StoreChanges
{
    private readonly List<string> _created = [];
    private readonly Lock _lock = new();

    public void Created(string path)
    {
        lock (_lock)
            _created.Add(path);
    }

    public int Count
    {
        get
        {
            lock (_lock)
                return _created.Count;
        }
    }

    public void Rollback()
    {
        lock (_lock)
        {
            foreach (var path in _created)
            {
                try
                {
                    File.Delete(path);
                }
                catch (IOException)
                {
                    // Left for prune: it is unreferenced, so harmless.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
            _created.Clear();
        }
    }

    /// <summary>One syncfs for the whole store instead of an fsync per file (thousands per image).</summary>
    public void MakeDurable(StoreLayout layout)
    {
        if (Count > 0)
            Posix.SyncFilesystem(layout.Root);
    }
}
