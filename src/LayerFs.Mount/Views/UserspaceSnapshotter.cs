using LayerFs.Store;
using LayerFs.Store.Model;
using LayerFs.Store.Views;

namespace LayerFs.Mount.Views;

/// <summary>
/// Copy-on-write inside the FUSE daemon: a view's own entries live in STORE/views/NAME/upper,
/// over its image's layers read from the index and the object store.
/// </summary>
public sealed class UserspaceSnapshotter : ISnapshotter
{
    public const string SnapshotterName = "userspace";

    public string Name => SnapshotterName;

    /// <summary>Works wherever the store does: the daemon does all of it.</summary>
    public void CheckAvailable()
    {
    }

    public void Create(ImageStore store, ViewInfo view)
    {
        var layout = UpperLayout.Of(store, view.Name);
        Directory.CreateDirectory(layout.Upper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(layout.Work, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Remove(ImageStore store, ViewInfo view)
    {
        var dir = store.ViewDirectory(view.Name);
        // Not Directory.Delete: upper/ may hold paths longer than PATH_MAX once prefixed with the store's.
        if (Directory.Exists(dir))
            HostTree.Delete(dir);
    }

    public IViewChanges Changes(ImageStore store, ViewInfo view) => UpperChanges.Open(store, view);
}
