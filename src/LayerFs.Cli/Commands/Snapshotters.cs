using LayerFs.DeviceMapper;
using LayerFs.Mount.Views;
using LayerFs.Store;
using LayerFs.Store.Views;

namespace LayerFs.Cli.Commands;

/// <summary>The snapshotters `--snapshotter` may name.</summary>
internal static class Snapshotters
{
    public const string Default = UserspaceSnapshotter.SnapshotterName;

    public static IReadOnlyList<string> Names { get; } = [UserspaceSnapshotter.SnapshotterName, DeviceMapperSnapshotter.SnapshotterName];

    public static ISnapshotter Get(string name) => name switch
    {
        UserspaceSnapshotter.SnapshotterName => new UserspaceSnapshotter(),
        DeviceMapperSnapshotter.SnapshotterName => new DeviceMapperSnapshotter(ImageRootfsMount.Open),
        _ => throw new UsageException($"unknown snapshotter '{name}' ({string.Join(" or ", Names)})"),
    };

    /// <summary>
    /// Before the store is served: devicemapper views whose device is not active (after a reboot)
    /// are activated and mounted again. Orphans are swept only if the store's lock is free now; a
    /// failure is logged, not fatal, since the read-only tree does not need these views.
    /// </summary>
    public static void RestoreViews(string storeRoot)
    {
        if (!Directory.Exists(Path.Combine(storeRoot, "devicemapper")))
            return; // never used: nothing to restore, and no need to open the store for writing
        try
        {
            using var store = ImageStore.Open(storeRoot);
            if (!store.Views().Any(v => v.Snapshotter == DeviceMapperSnapshotter.SnapshotterName))
                return;
            StoreLock? storeLock = null;
            try
            {
                storeLock = StoreLock.Exclusive(store.Layout, TimeSpan.FromSeconds(2));
            }
            catch (StoreException)
            {
            }
            using (storeLock)
                DeviceMapperSnapshotter.Restore(store, storeLocked: storeLock is not null);
        }
        catch (Exception e)
        {
            Serilog.Log.Error("devicemapper views: {Error}", e.Message);
        }
    }
}
