using LayerFs.Store.Model;

namespace LayerFs.Store.Views;

/// <summary>
/// The storage behind writable views (userspace copy-on-write, devicemapper thin snapshots).
/// <see cref="ImageStore.CreateView"/> calls <see cref="Create"/> before the view's index row
/// commits, and <see cref="ImageStore.RemoveView"/> calls <see cref="Remove"/> after its row is
/// gone, so a crash in between leaves storage without a row, which <see cref="Remove"/> (from
/// prune) must clean; both must be idempotent.
/// </summary>
public interface ISnapshotter
{
    /// <summary>"userspace" or "devicemapper": what `--snapshotter` and the index say.</summary>
    string Name { get; }

    /// <summary>Fails at once, with one clear line, where this machine cannot host such views.</summary>
    void CheckAvailable();

    void Create(ImageStore store, ViewInfo view);

    void Remove(ImageStore store, ViewInfo view);

    /// <summary>The view's changes against its image (for `layerfs diff` and `layerfs commit`).</summary>
    IViewChanges Changes(ImageStore store, ViewInfo view);
}
