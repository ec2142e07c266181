using System.Runtime.InteropServices;
using LayerFs.Examples.Loopback.Interop;
using LayerFs.Fuse;

namespace LayerFs.Examples.Loopback;

/// <summary>Open files: the file handle is the fd of the source file.</summary>
internal sealed unsafe partial class LoopbackFileSystem
{
    private static readonly byte* Dot = (byte*)NativeMemory.Alloc(2);

    static LoopbackFileSystem()
    {
        Dot[0] = (byte)'.';
        Dot[1] = 0;
    }

    public override int Open(in FuseRequestContext ctx, ulong nodeId, int flags, ref FuseOpenOut open)
    {
        var inode = inodes.Get(nodeId);
        if (inode is null)
            return Errno.ESTALE;
        var rc = Resolve(inode, out var dirFd, out var path, out _);
        if (rc != 0)
            return rc;
        // O_CREAT/O_EXCL were the kernel's business; O_NOFOLLOW because the name is the node itself.
        var openFlags = (flags & ~(Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOCTTY)) | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;
        int fd;
        fixed (byte* p = path)
            fd = inode.IsDirectory ? Libc.Openat(dirFd, Dot, openFlags, 0) : Libc.Openat(dirFd, p, openFlags, 0);
        if (fd < 0)
            return Marshal.GetLastPInvokeError();
        SetOpenOut(fd, ref open);
        return 0;
    }

    public override int Create(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, uint mode, uint umask, int flags, out FuseEntry entry, ref FuseOpenOut open)
    {
        entry = default;
        var dir = inodes.Get(parent);
        if (dir is null)
            return Errno.ESTALE;
        var cname = stackalloc byte[name.Length + 1];
        NativeText.Terminate(name, new Span<byte>(cname, name.Length + 1));
        var fd = Libc.Openat(dir.Fd, cname, flags | Libc.O_CREAT | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, mode);
        if (fd < 0)
            return Marshal.GetLastPInvokeError();
        var rc = Created(ctx, dir, cname, name, out entry);
        if (rc != 0 || entry.NodeId == 0)
        {
            Libc.Close(fd);
            return rc != 0 ? rc : Errno.EIO;
        }
        SetOpenOut(fd, ref open);
        return 0;
    }

    public override int Read(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, Span<byte> buffer, out int bytesRead)
    {
        bytesRead = 0;
        fixed (byte* p = buffer)
        {
            while (bytesRead < buffer.Length)
            {
                var n = Libc.Pread((int)fh, p + bytesRead, (nuint)(buffer.Length - bytesRead), offset + bytesRead);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR)
                        continue;
                    return bytesRead > 0 ? 0 : errno;
                }
                if (n == 0)
                    break;
                bytesRead += (int)n;
            }
        }
        return 0;
    }

    public override int Write(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, ReadOnlySpan<byte> data, uint writeFlags, out int bytesWritten)
    {
        bytesWritten = 0;
        fixed (byte* p = data)
        {
            while (bytesWritten < data.Length)
            {
                var n = Libc.Pwrite((int)fh, p + bytesWritten, (nuint)(data.Length - bytesWritten), offset + bytesWritten);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR)
                        continue;
                    return bytesWritten > 0 ? 0 : errno;
                }
                bytesWritten += (int)n;
            }
        }
        return 0;
    }

    // No Flush: nothing is buffered here, and the ENOSYS of the default makes the kernel stop sending
    // FLUSH on every close(2).

    public override int Release(in FuseRequestContext ctx, ulong nodeId, ulong fh, int flags)
    {
        Libc.Close((int)fh);
        return 0;
    }

    public override int Fsync(in FuseRequestContext ctx, ulong nodeId, ulong fh, bool dataOnly) =>
        (dataOnly ? Libc.Fdatasync((int)fh) : Libc.Fsync((int)fh)) == 0 ? 0 : Marshal.GetLastPInvokeError();

    public override int Fallocate(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, long length, int mode) =>
        Libc.Fallocate((int)fh, mode, offset, length) == 0 ? 0 : Marshal.GetLastPInvokeError();

    public override int Lseek(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, int whence, out long resultOffset)
    {
        resultOffset = Libc.Lseek((int)fh, offset, whence);
        return resultOffset >= 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// The handle is the fd. With passthrough the same fd becomes the node's backing file and the
    /// kernel reads and writes it directly; otherwise the page cache is kept across opens when
    /// cached attributes are trusted. Never direct_io: files here may be mmapped.
    /// </summary>
    private void SetOpenOut(int fd, ref FuseOpenOut open)
    {
        open.Fh = (ulong)fd;
        if (options.KeepsCache)
            open.Flags |= FuseOpenFlags.KeepCache;
        if (passthrough)
            open.PassthroughFd = fd;
    }
}
