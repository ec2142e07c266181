using System.Runtime.InteropServices;
using LayerFs.Examples.Loopback.Interop;
using LayerFs.Fuse;

namespace LayerFs.Examples.Loopback;

/// <summary>Directory listings from getdents64, with a lookup per entry for READDIRPLUS.</summary>
internal sealed unsafe partial class LoopbackFileSystem
{
    public override int OpenDir(in FuseRequestContext ctx, ulong nodeId, int flags, ref FuseOpenOut open)
    {
        var inode = inodes.Get(nodeId);
        if (inode is null)
            return Errno.ESTALE;
        if (!inode.IsDirectory)
            return Errno.ENOTDIR;
        var fd = Libc.Openat(inode.Fd, Dot, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
            return Marshal.GetLastPInvokeError();
        var id = (ulong)Interlocked.Increment(ref nextDirectoryHandle);
        directories[id] = new DirectoryHandle(fd);
        open.Fh = id;
        if (options.KeepsCache)
            open.Flags |= FuseOpenFlags.CacheDir | FuseOpenFlags.KeepCache;
        return 0;
    }

    public override int ReadDir(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, FuseDirectoryWriter writer) =>
        List(nodeId, fh, offset, writer, plus: false);

    public override int ReadDirPlus(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, FuseDirectoryWriter writer) =>
        List(nodeId, fh, offset, writer, plus: true);

    public override int ReleaseDir(in FuseRequestContext ctx, ulong nodeId, ulong fh)
    {
        if (directories.TryRemove(fh, out var handle))
            handle.Dispose();
        return 0;
    }

    public override int FsyncDir(in FuseRequestContext ctx, ulong nodeId, ulong fh, bool dataOnly)
    {
        if (!directories.TryGetValue(fh, out var handle))
            return Errno.EBADF;
        return (dataOnly ? Libc.Fdatasync(handle.Fd) : Libc.Fsync(handle.Fd)) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    private int List(ulong nodeId, ulong fh, long offset, FuseDirectoryWriter writer, bool plus)
    {
        if (!directories.TryGetValue(fh, out var handle))
            return Errno.EBADF;
        var dir = plus ? inodes.Get(nodeId) : null;
        if (plus && dir is null)
            return Errno.ESTALE;
        lock (handle.Gate)
        {
            if (offset != handle.Offset)
            {
                // A seek (or rewinddir): continue from the kernel's cookie, not from our buffer.
                if (Libc.Lseek(handle.Fd, offset, Libc.SEEK_SET) < 0)
                    return Marshal.GetLastPInvokeError();
                handle.Length = handle.Position = 0;
                handle.Offset = offset;
            }
            while (true)
            {
                if (handle.Position >= handle.Length)
                {
                    var n = Libc.Getdents64(handle.Fd, handle.Buffer, DirectoryHandle.BufferSize);
                    if (n < 0)
                        return Marshal.GetLastPInvokeError();
                    if (n == 0)
                        return 0; // end of directory
                    handle.Length = (int)n;
                    handle.Position = 0;
                }
                var d = (LinuxDirent64*)(handle.Buffer + handle.Position);
                var namePtr = (byte*)d + Libc.DirentNameOffset;
                var name = new ReadOnlySpan<byte>(namePtr, d->RecLen - Libc.DirentNameOffset);
                name = name[..name.IndexOf((byte)0)];
                if (!Emit(writer, dir, name, d, plus, out var rc))
                    return rc; // the reply is full (rc 0), or the entry failed
                handle.Position += d->RecLen;
                handle.Offset = d->Off;
            }
        }
    }

    /// <summary>Adds one entry; false when the reply is full (rc 0) or a lookup failed (rc = errno).</summary>
    private bool Emit(FuseDirectoryWriter writer, Inode? dir, ReadOnlySpan<byte> name, LinuxDirent64* d, bool plus, out int rc)
    {
        rc = 0;
        var mode = (uint)d->Type << 12;
        if (!plus || IsDot(name) || IsDotDot(name))
            return writer.Add(name, d->Ino, mode, d->Off);
        var lookup = LookupChild(dir!, name, out var entry);
        if (lookup == Errno.ENOENT || (lookup == 0 && entry.NodeId == 0))
            return true; // removed since getdents64 saw it
        if (lookup != 0)
        {
            // Cannot look it up (EACCES, ...): list it without attributes.
            return writer.Add(name, d->Ino, mode, d->Off);
        }
        if (writer.AddPlus(name, entry, d->Off))
            return true;
        inodes.Forget(entry.NodeId, 1); // did not fit: the kernel never saw this lookup
        return false;
    }
}
