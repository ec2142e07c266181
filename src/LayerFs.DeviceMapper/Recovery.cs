using LayerFs.Store;
using Serilog;

namespace LayerFs.DeviceMapper;

/// <summary>
/// One holder of the pool's lock. <see cref="Start"/> takes the lock, activates the pool and puts
/// right whatever a killed command left, in this order:
/// <list type="number">
/// <item>private mounts under STORE/devicemapper/tmp (an image's rootfs, a base being filled) go:
/// only the lock holder uses them, so any found there are a dead process's;</item>
/// <item>an open transaction is finished or undone against the pool's transaction id (<see cref="DeviceSet.Recover"/>);</item>
/// <item>a base device left half filled is deleted (the next view fills it again);</item>
/// <item>removals left half done (a crash, or a busy device removed deferred) are finished;</item>
/// <item>with the store's lock held by the caller: devices whose view row or image is gone are removed
/// (a crash between a view's storage and its row, in either direction).</item>
/// </list>
/// </summary>
internal sealed class Recovery : IDisposable
{
    private readonly PoolLock _lock;

    private Recovery(PoolLock poolLock, PoolLayout layout, DeviceSet devices)
    {
        _lock = poolLock;
        Layout = layout;
        Devices = devices;
    }

    public PoolLayout Layout { get; }
    public DeviceSet Devices { get; }

    private ThinPool Pool => Devices.Pool;

    public static Recovery Start(ImageStore store, bool sweepOrphans)
    {
        var layout = new PoolLayout(store.Layout);
        Directory.CreateDirectory(layout.Root);
        var poolLock = PoolLock.Take(layout.LockFile);
        try
        {
            var session = new Recovery(poolLock, layout, new DeviceSet(ThinPool.Activate(layout), new RecordStore(layout)));
            session.CleanTemporaryMounts();
            session.Devices.Recover();
            session.DeleteUnfilledBases();
            foreach (var record in session.Devices.Records.All().Where(r => r.State == DeviceState.Removing))
                session.RemoveDevice(record, busyAttempts: 1);
            if (sweepOrphans)
                session.SweepOrphans(store);
            return session;
        }
        catch
        {
            poolLock.Dispose();
            throw;
        }
    }

    private void CleanTemporaryMounts()
    {
        Directory.CreateDirectory(Layout.TemporaryDir);
        foreach (var dir in Directory.EnumerateDirectories(Layout.TemporaryDir))
        {
            Log.Information("removing {Dir}, left by a command that did not finish", dir);
            Mounts.Unmount(dir, attempts: 1);
            Directory.Delete(dir); // not recursive: nothing may be deleted through a mount
        }
    }

    public void DeleteUnfilledBases()
    {
        foreach (var record in Devices.Records.All().Where(r => r.State == DeviceState.Filling))
        {
            Log.Information("deleting thin device {Id} of {Key}: its filling did not finish", record.DeviceId, record.Key);
            RemoveDevice(record, busyAttempts: 20);
        }
    }

    private void SweepOrphans(ImageStore store)
    {
        var views = store.Views().Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var images = store.Images().Select(i => i.Id.Hex).ToHashSet(StringComparer.Ordinal);
        foreach (var record in Devices.Records.All())
        {
            if (record.IsView ? views.Contains(record.Name) : images.Contains(record.Name))
                continue;
            Log.Information("removing thin device {Id} of {Key}: its {What} is gone", record.DeviceId, record.Key, record.IsView ? "view" : "image");
            RemoveDevice(record, busyAttempts: 20);
        }
    }

    /// <summary>
    /// Unmounts (lazily if busy), discards (so the pool's files give their space back), deactivates
    /// (deferred if still busy: the record then stays Removing and a later start finishes) and deletes.
    /// </summary>
    public void RemoveDevice(DeviceRecord record, int busyAttempts)
    {
        if (record.State != DeviceState.Removing)
        {
            record.State = DeviceState.Removing;
            Devices.Records.Save(record);
        }
        var name = Pool.DeviceName(record.DeviceId);
        var released = !record.IsView || Mounts.Unmount(Layout.ViewMountpoint(record.Name), busyAttempts);
        if (Pool.ActiveDevices().Contains(name))
        {
            if (released)
                Tool.Run("blkdiscard", [Dmsetup.NodePath(name)]);
            if (Dmsetup.Remove(name, busyAttempts) == Dmsetup.Removal.Deferred)
                return;
        }
        Devices.Delete(record);
        if (record.IsView)
            RemoveViewDirectory(record.Name);
    }

    /// <summary>STORE/views/NAME, once nothing is mounted in it.</summary>
    public void RemoveViewDirectory(string viewName)
    {
        var mountpoint = Layout.ViewMountpoint(viewName);
        var dir = Path.GetDirectoryName(mountpoint)!;
        if (Directory.Exists(dir) && !MountPoints.IsMounted(mountpoint))
            Directory.Delete(dir, recursive: true);
    }

    /// <summary>Activates a view's device if it is not (after a reboot) and mounts it at STORE/views/NAME/rootfs if it is not.</summary>
    public void MountView(DeviceRecord record)
    {
        var name = Pool.DeviceName(record.DeviceId);
        if (!Pool.ActiveDevices().Contains(name))
            Dmsetup.Create(name, Pool.ThinTable(record.DeviceId, record.Size));
        var mountpoint = Layout.ViewMountpoint(record.Name);
        if (!MountPoints.IsMounted(mountpoint))
        {
            Mounts.MountExt4(Dmsetup.NodePath(name), mountpoint);
            Log.Information("mounted view {View} (thin device {Id}) at {Path}", record.Name, record.DeviceId, mountpoint);
        }
    }

    /// <summary>Every devicemapper view of the store, mounted; one that fails is logged and the others still mounted.</summary>
    public void MountViews(ImageStore store)
    {
        foreach (var view in store.Views().Where(v => v.Snapshotter == DeviceMapperSnapshotter.SnapshotterName))
        {
            if (Devices.Records.Get(DeviceRecord.ViewKey(view.Name)) is not { State: DeviceState.Ready } record)
            {
                Log.Error("view {View} has no thin device: remove it with 'layerfs view rm {View}'", view.Name, view.Name);
                continue;
            }
            try
            {
                MountView(record);
            }
            catch (DeviceMapperException e)
            {
                Log.Error("view {View}: {Error}", view.Name, e.Message);
            }
        }
    }

    public void Dispose() => _lock.Dispose();
}
