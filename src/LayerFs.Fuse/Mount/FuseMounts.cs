using System.Runtime.InteropServices;
using LayerFs.Fuse.Interop;
using LayerFs.Fuse.Mount;

namespace LayerFs.Fuse;

/// <summary>Mount-table helpers for the command line: unmount, and recognise a mount left by a dead daemon.</summary>
public static class FuseMounts
{
    /// <summary>
    /// Unmounts: umount2 when privileged, else (or when that answers EPERM) fusermount3 -u.
    /// lazy detaches the name now and lets the filesystem go when its last open file closes.
    /// </summary>
    public static void Unmount(string mountpoint, bool lazy)
    {
        var path = MountTable.Normalize(mountpoint);
        if (Privileges.IsRoot)
        {
            if (Libc.Umount2(path, lazy ? Libc.MNT_DETACH : 0) == 0)
                return;
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EPERM)
                throw Errors.Exception("unmount " + path, errno);
        }
        FusermountProgram.Unmount(path, lazy);
    }

    /// <summary>
    /// True when the path is a FUSE mount whose daemon is gone: stat answers ENOTCONN
    /// ("Transport endpoint is not connected"). Such a mount can be removed with Unmount and mounted again.
    /// </summary>
    public static bool IsStale(string mountpoint) => MountPointInfo.StatErrno(mountpoint) is Errno.ENOTCONN or Errno.ECONNABORTED;

    /// <summary>Whether something is mounted exactly at this path (read from /proc/self/mountinfo, so it never blocks on the mount).</summary>
    public static bool IsMounted(string mountpoint) => MountTable.Find(mountpoint) is not null;

    /// <summary>The type of what is mounted at this path ("fuse.layerfs", ...), or null.</summary>
    public static string? MountedFileSystemType(string mountpoint) => MountTable.Find(mountpoint)?.FileSystemType;
}
