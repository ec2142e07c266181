using System.Runtime.InteropServices;
using LayerFs.Fuse.Interop;

namespace LayerFs.Fuse.Mount;

/// <summary>The stat facts mounting needs about a mountpoint.</summary>
internal static class MountPointInfo
{
    /// <summary>
    /// A stat that always asks the filesystem (AT_STATX_FORCE_SYNC): FUSE would otherwise answer from
    /// attributes it cached before its daemon died, and a dead mount would look alive.
    /// </summary>
    private const int FreshStat = Libc.AT_STATX_FORCE_SYNC;

    /// <summary>st_mode &amp; S_IFMT of the mountpoint (the kernel's rootmode= option).</summary>
    public static unsafe uint FileType(string mountPoint)
    {
        Statx st;
        if (Libc.Statx(Libc.AT_FDCWD, mountPoint, FreshStat, Libc.STATX_TYPE | Libc.STATX_MODE, &st) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            // ECONNABORTED: the same, seen in the moment after an io_uring daemon died, while the
            // kernel still tears its queues down.
            if (errno is Errno.ENOTCONN or Errno.ECONNABORTED)
                throw new FuseException($"{mountPoint} is a stale FUSE mount left by a daemon that died (Transport endpoint is not connected); unmount it first", errno);
            throw Errors.Exception("stat " + mountPoint, errno);
        }
        return st.Mode & Libc.S_IFMT;
    }

    /// <summary>errno of a fresh stat(path), 0 if it succeeds.</summary>
    public static unsafe int StatErrno(string path)
    {
        Statx st;
        return Libc.Statx(Libc.AT_FDCWD, path, FreshStat, Libc.STATX_TYPE, &st) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }
}
