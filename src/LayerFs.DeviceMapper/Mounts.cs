using System.Runtime.InteropServices;
using LayerFs.DeviceMapper.Interop;
using LayerFs.Store;
using Serilog;

namespace LayerFs.DeviceMapper;

/// <summary>Kernel mounts of thin devices (mount(2), umount2(2)); what is mounted is <see cref="MountPoints"/>'s.</summary>
internal static class Mounts
{
    public static void MountExt4(string device, string mountpoint)
    {
        Directory.CreateDirectory(mountpoint);
        if (Libc.Mount(device, mountpoint, "ext4", 0, null) != 0)
            throw new DeviceMapperException($"mounting {device} at {mountpoint}: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <summary>
    /// Unmounts everything mounted at <paramref name="path"/>; a busy filesystem is retried for a
    /// while, then detached lazily (the kernel finishes when its last user leaves). Returns false
    /// if it had to detach lazily, so the device may still be open.
    /// </summary>
    public static bool Unmount(string path, int attempts = 20)
    {
        var clean = true;
        for (var attempt = 1; MountPoints.IsMounted(path); attempt++)
        {
            if (Libc.Umount2(path, 0) == 0)
                continue;
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Libc.EINVAL or Libc.ENOENT)
                return clean;
            if (errno != Libc.EBUSY)
                throw new DeviceMapperException($"unmounting {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
            if (attempt < attempts)
            {
                Thread.Sleep(100);
                continue;
            }
            Log.Warning("{Path} is busy: detaching it lazily", path);
            if (Libc.Umount2(path, Libc.MNT_DETACH) != 0)
                throw new DeviceMapperException($"unmounting {path}: {Marshal.GetLastPInvokeErrorMessage()}");
            clean = false;
        }
        return clean;
    }
}
