using LayerFs.Store;
using LayerFs.Store.Model;
using LayerFs.Store.Views;
using Serilog;

namespace LayerFs.DeviceMapper;

/// <summary>
/// Fills an image's base device with its rootfs, once: mkfs.ext4 on the new thin device (as docker
/// made its base: no discard, inode tables and journal written now, not by a kernel thread in
/// every view later), then `cp -a` from the image's rootfs as the read-only tree shows it, which
/// keeps owners, modes, xattrs, device nodes, hard links and nanosecond times. ext4's lost+found is
/// removed first: the view must hold exactly the image's entries.
/// </summary>
internal sealed class BaseFiller
{
    private readonly DeviceSet _devices;
    private readonly PoolLayout _layout;
    private readonly ImageRootfsOpener _openRootfs;

    public BaseFiller(DeviceSet devices, PoolLayout layout, ImageRootfsOpener openRootfs)
    {
        _devices = devices;
        _layout = layout;
        _openRootfs = openRootfs;
    }

    public DeviceRecord Ensure(ImageStore store, ImageInfo image)
    {
        var key = DeviceRecord.ImageKey(image.Id.Hex);
        if (_devices.Records.Get(key) is { State: DeviceState.Ready } ready)
            return ready;
        var record = _devices.Create(key, null, new DeviceRecord { Size = _devices.Pool.Config.Options.BaseSize, State = DeviceState.Filling });
        var name = _devices.Pool.DeviceName(record.DeviceId);
        Log.Information("filling thin device {Id} with the rootfs of image {Image}", record.DeviceId, image.Id.Hex[..12]);
        Dmsetup.Create(name, _devices.Pool.ThinTable(record.DeviceId, record.Size));
        Tool.Check($"making the filesystem of image {image.Id.Hex[..12]}", "mkfs.ext4",
            ["-q", "-F", "-E", "nodiscard,lazy_itable_init=0,lazy_journal_init=0", Dmsetup.NodePath(name)]);
        var target = Path.Combine(_layout.TemporaryDir, $"fill-{Environment.ProcessId}");
        Mounts.MountExt4(Dmsetup.NodePath(name), target);
        try
        {
            Directory.Delete(Path.Combine(target, "lost+found"));
            var source = Path.Combine(_layout.TemporaryDir, $"rootfs-{Environment.ProcessId}");
            Directory.CreateDirectory(source);
            using (var rootfs = _openRootfs(store, image, source))
                Tool.Check($"copying the rootfs of image {image.Id.Hex[..12]}", "cp", ["-a", rootfs.Path + "/.", target + "/"]);
            Directory.Delete(source);
            Posix.SyncFilesystem(target);
        }
        finally
        {
            Mounts.Unmount(target);
        }
        Directory.Delete(target);
        Dmsetup.Remove(name);
        record.State = DeviceState.Ready;
        record.BaseFilledAtNs = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        _devices.Records.Save(record);
        return record;
    }
}
