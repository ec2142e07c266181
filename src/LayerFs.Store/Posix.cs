using System.Runtime.InteropServices;
using LayerFs.Store.Interop;

namespace LayerFs.Store;

/// <summary>The few POSIX calls the store needs that .NET does not expose: durability and locking.</summary>
public static class Posix
{
    public static uint GetEffectiveUserId() => Libc.Geteuid();

    /// <summary>fsync a directory, so that the names created in it survive a power loss.</summary>
    public static void FsyncDirectory(string path)
    {
        var fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
            throw new IOException($"open {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        try
        {
            if (Libc.Fsync(fd) != 0)
                throw new IOException($"fsync {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>
    /// Flush every dirty page of the filesystem that holds <paramref name="path"/>: one call instead of
    /// an fsync per object after an import of thousands of files.
    /// </summary>
    public static void SyncFilesystem(string path)
    {
        var fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
            throw new IOException($"open {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        try
        {
            if (Libc.Syncfs(fd) != 0)
                throw new IOException($"syncfs {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
