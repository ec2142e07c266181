using System.Globalization;
using System.Runtime.InteropServices;
using LayerFs.Fuse.Interop;

namespace LayerFs.Fuse.Mount;

/// <summary>
/// "/dev/fd/N" as a mountpoint: mount.fuse3 with drop_privileges (and other supervisors) open
/// /dev/fuse and mount themselves, then hand us the fd. We only serve it; unmounting is theirs.
/// </summary>
internal static class DevFdMountpoint
{
    private const string Prefix = "/dev/fd/";
    private const uint MiscMajor = 10;
    private const uint FuseMinor = 229;

    public static bool TryParse(string mountPoint, out int fd)
    {
        fd = -1;
        return mountPoint.StartsWith(Prefix, StringComparison.Ordinal)
            && int.TryParse(mountPoint.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out fd)
            && fd >= 0;
    }

    /// <summary>Takes ownership of fd after checking that it really is /dev/fuse.</summary>
    public static unsafe MountedConnection Adopt(int fd)
    {
        Statx st;
        if (Libc.Statx(fd, "", Libc.AT_EMPTY_PATH, Libc.STATX_TYPE, &st) != 0)
            throw Errors.Exception($"/dev/fd/{fd}", Marshal.GetLastPInvokeError());
        if ((st.Mode & Libc.S_IFMT) != Libc.S_IFCHR || st.RdevMajor != MiscMajor || st.RdevMinor != FuseMinor)
            throw new FuseException($"/dev/fd/{fd} is not an open /dev/fuse");
        // The fd came in through exec; keep it from leaking into processes we start.
        Libc.Fcntl(fd, Libc.F_SETFD, Libc.FD_CLOEXEC);
        return new MountedConnection(new FuseDeviceHandle(fd), mountPoint: null, mountedByUs: false, viaFusermount: false, connectionId: null);
    }
}
