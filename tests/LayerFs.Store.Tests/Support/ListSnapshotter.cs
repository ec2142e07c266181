using LayerFs.Store.Model;
using LayerFs.Store.Views;

namespace LayerFs.Store.Tests.Support;

/// <summary>
/// A snapshotter whose views report whatever changes the test sets, over files the test
/// prepares: the committer is tested on its own, whatever the real snapshotters report.
/// </summary>
internal sealed class ListSnapshotter : ISnapshotter
{
    public const string SnapshotterName = "userspace";

    /// <summary>What Changes() reports next.</summary>
    public List<ViewChange> Changes { get; set; } = [];

    /// <summary>When set, enumeration throws this after reporting the first <see cref="FailAfter"/> changes.</summary>
    public Exception? Failure { get; set; }

    public int FailAfter { get; set; }

    public string Name => SnapshotterName;

    public void CheckAvailable()
    {
    }

    public void Create(ImageStore store, ViewInfo view) => Directory.CreateDirectory(store.ViewDirectory(view.Name));

    public void Remove(ImageStore store, ViewInfo view)
    {
        var dir = store.ViewDirectory(view.Name);
        if (Directory.Exists(dir))
            Directory.Delete(dir, recursive: true);
    }

    IViewChanges ISnapshotter.Changes(ImageStore store, ViewInfo view) => new ListChanges([.. Changes], Failure, FailAfter);

    private sealed class ListChanges(List<ViewChange> changes, Exception? failure, int failAfter) : IViewChanges
    {
        public IEnumerable<ViewChange> Enumerate()
        {
            for (var i = 0; i < changes.Count; i++)
            {
                if (failure is not null && i == failAfter)
                    throw failure;
                yield return changes[i];
            }
            if (failure is not null && failAfter >= changes.Count)
                throw failure;
        }

        public void Dispose()
        {
        }
    }
}
