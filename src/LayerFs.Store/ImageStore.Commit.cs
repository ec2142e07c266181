using LayerFs.Store.Commit;
using LayerFs.Store.Import;
using LayerFs.Store.Views;

namespace LayerFs.Store;

/// <summary>`layerfs diff` and `layerfs commit`: a view's changes, listed or made into a new image.</summary>
public sealed partial class ImageStore
{
    /// <summary>The view's changes against its image, in path order; dispose when done.</summary>
    public IViewChanges ViewChanges(string viewName, Func<string, ISnapshotter> snapshotters)
    {
        var view = View(viewName);
        return snapshotters(view.Snapshotter).Changes(this, view);
    }

    /// <summary>
    /// Makes the view's changes a new layer on top of its image's layers and records the result
    /// as an image tagged NAME:TAG (an existing tag of that name moves to it, as `docker commit`
    /// does). The view itself is left as it is. The store is changed only if the whole commit succeeds.
    /// </summary>
    public CommitResult Commit(string viewName, string name, string? message, Func<string, ISnapshotter> snapshotters, DateTimeOffset? created = null)
    {
        var tag = ImageReference.Normalise(name);
        using var storeLock = LockExclusive();
        CleanIngest();
        var view = View(viewName);
        var parent = Images().FirstOrDefault(i => i.Id == view.ImageId)
            ?? throw new StoreException($"view '{viewName}' refers to image {view.ImageId}, which is not in the store");
        var parentConfig = ReadConfig(parent);
        using var changes = snapshotters(view.Snapshotter).Changes(this, view);
        return new ViewCommitter(Layout, _db, Content, Objects).Commit(parent, parentConfig, changes, tag, message, created ?? DateTimeOffset.UtcNow);
    }
}
