using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using LayerFs.Fuse.Interop;

namespace LayerFs.Fuse.Mount;

/// <summary>mount(2) with our own /dev/fuse fd: what root (CAP_SYS_ADMIN) does.</summary>
internal static class DirectMount
{
    /// <summary>Mounts, or returns null when the kernel says EPERM (then fusermount3 may still work).</summary>
    public static MountedConnection? TryMount(string mountPoint, FuseMountOptions options)
    {
        var rootMode = MountPointInfo.FileType(mountPoint);
        var device = FuseDeviceHandle.OpenDevice();
        try
        {
            var data = BuildData(device.Fd, rootMode, options);
            var fsType = string.IsNullOrEmpty(options.Subtype) ? "fuse" : "fuse." + options.Subtype;
            var source = string.IsNullOrEmpty(options.FsName) ? fsType : options.FsName;
            if (Libc.Mount(source, mountPoint, fsType, Flags(options), data) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                device.Dispose();
                if (errno == Errno.EPERM)
                    return null;
                throw Errors.Exception($"mount {mountPoint} ({fsType}, {data})", errno);
            }
            return new MountedConnection(device, mountPoint, mountedByUs: true, viaFusermount: false, MountedConnection.FindConnectionId(mountPoint));
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The kernel accepts only fd, rootmode, user_id, group_id, default_permissions, allow_other,
    /// max_read, blksize and subtype here; anything else is EINVAL. nosuid/nodev/noexec/ro are flag bits.
    /// </summary>
    internal static string BuildData(int fd, uint rootMode, FuseMountOptions options)
    {
        var data = new StringBuilder();
        data.Append(CultureInfo.InvariantCulture, $"fd={fd},rootmode={Convert.ToString(rootMode, 8)},user_id={Libc.Geteuid()},group_id={Libc.Getegid()}");
        if (options.DefaultPermissions)
            data.Append(",default_permissions");
        if (options.AllowOther)
            data.Append(",allow_other");
        return data.ToString();
    }

    internal static ulong Flags(FuseMountOptions options)
    {
        ulong flags = 0;
        if (!options.Suid)
            flags |= Libc.MS_NOSUID;
        if (!options.Dev)
            flags |= Libc.MS_NODEV;
        if (options.NoExec)
            flags |= Libc.MS_NOEXEC;
        if (options.ReadOnly)
            flags |= Libc.MS_RDONLY;
        return flags;
    }
}
