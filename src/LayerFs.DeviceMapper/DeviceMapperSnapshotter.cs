using LayerFs.Store;
using LayerFs.Store.Model;
using LayerFs.Store.Views;
using Serilog;

namespace LayerFs.DeviceMapper;

/// <summary>
/// Views as docker's devicemapper driver made containers: a thin pool on sparse loop-backed files in
/// STORE/devicemapper/, one thin device per image holding its rootfs as ext4 (filled on first use),
/// one create_snap per view, which the kernel mounts at STORE/views/NAME/rootfs. Every entry point
/// first takes the pool's lock and finishes or undoes whatever a killed command left (see
/// <see cref="Recovery"/>); views whose device is not active (after a reboot) are activated and
/// mounted again by <see cref="Create"/> and <see cref="Restore"/>.
/// </summary>
public sealed class DeviceMapperSnapshotter : ISnapshotter
{
    public const string SnapshotterName = "devicemapper";

    private readonly ImageRootfsOpener _openRootfs;

    /// <param name="openRootfs">Shows an image's stacked rootfs (from the store's own read-only tree), to fill base devices and compare views with.</param>
    public DeviceMapperSnapshotter(ImageRootfsOpener openRootfs) => _openRootfs = openRootfs;

    public string Name => SnapshotterName;

    public void CheckAvailable()
    {
        if (KernelSupport.Missing() is { } reason)
            throw new DeviceMapperException(reason);
    }

    /// <summary>Called with the store's lock held and before the view's row exists (see <see cref="ISnapshotter"/>).</summary>
    public void Create(ImageStore store, ViewInfo view)
    {
        using var session = Recovery.Start(store, sweepOrphans: true);
        var image = store.Images().FirstOrDefault(i => i.Id == view.ImageId)
            ?? throw new StoreException($"no image {view.ImageId.Hex[..12]}");
        var key = DeviceRecord.ViewKey(view.Name);
        if (session.Devices.Records.Get(key) is not null)
            throw new DeviceMapperException($"view {view.Name} has a thin device already");
        var filler = new BaseFiller(session.Devices, session.Layout, _openRootfs);
        DeviceRecord origin;
        try
        {
            origin = filler.Ensure(store, image);
        }
        catch
        {
            session.DeleteUnfilledBases();
            throw;
        }
        var record = session.Devices.Create(key, origin, new DeviceRecord
        {
            Size = origin.Size,
            State = DeviceState.Ready,
            BaseFilledAtNs = origin.BaseFilledAtNs,
        });
        session.MountView(record);
        session.MountViews(store);
    }

    /// <summary>Called with the store's lock held and after the view's row is gone: unmount, deactivate, delete.</summary>
    public void Remove(ImageStore store, ViewInfo view)
    {
        if (KernelSupport.Missing() is { } reason)
        {
            // The row is gone already (the commit point): the device goes with the next start where it can.
            Log.Warning("view {View}: its thin device stays until a command runs where it can be removed: {Reason}", view.Name, reason);
            return;
        }
        // The row is gone, so starting with the sweep of orphans removes the view's device; a
        // busy one is left Removing (deferred), and not waited for twice.
        using var session = Recovery.Start(store, sweepOrphans: true);
        var record = session.Devices.Records.Get(DeviceRecord.ViewKey(view.Name));
        if (record is null)
            session.RemoveViewDirectory(view.Name);
        else if (record.State != DeviceState.Removing)
            session.RemoveDevice(record, busyAttempts: 20);
    }

    public IViewChanges Changes(ImageStore store, ViewInfo view)
    {
        CheckAvailable();
        using var session = Recovery.Start(store, sweepOrphans: false);
        var record = session.Devices.Records.Get(DeviceRecord.ViewKey(view.Name))
            ?? throw new DeviceMapperException($"view {view.Name} has no thin device (was it made by another snapshotter?)");
        var image = store.Images().FirstOrDefault(i => i.Id == view.ImageId)
            ?? throw new StoreException($"no image {view.ImageId.Hex[..12]}");
        session.MountView(record);
        var source = Path.Combine(session.Layout.TemporaryDir, $"rootfs-{Environment.ProcessId}");
        Directory.CreateDirectory(source);
        try
        {
            using var rootfs = _openRootfs(store, image, source);
            var untouchedBefore = record.BaseFilledAtNs is { } ns ? DateTimeOffset.UnixEpoch.AddTicks(ns / 100) : (DateTimeOffset?)null;
            return new ListedViewChanges(TreeComparison.Compare(rootfs.Path, session.Layout.ViewMountpoint(view.Name), untouchedBefore));
        }
        finally
        {
            Directory.Delete(source);
        }
    }

    /// <summary>
    /// After a reboot or a crash: activates the pool and mounts every devicemapper view again, having
    /// finished what a killed command left. <paramref name="storeLocked"/>: the caller holds the
    /// store's lock, so devices whose view or image is gone may be deleted too.
    /// </summary>
    public static void Restore(ImageStore store, bool storeLocked)
    {
        if (KernelSupport.Missing() is { } reason)
        {
            Log.Warning("devicemapper views are not mounted: {Reason}", reason);
            return;
        }
        using var session = Recovery.Start(store, sweepOrphans: storeLocked);
        session.MountViews(store);
    }

    /// <summary>Where a devicemapper view's filesystem is mounted (MNT/views/NAME/rootfs leads there).</summary>
    public static string MountPoint(ImageStore store, string viewName) => new PoolLayout(store.Layout).ViewMountpoint(viewName);
}
