using System.Runtime.InteropServices;
using LayerFs.Examples.Loopback.Interop;
using LayerFs.Fuse;

namespace LayerFs.Examples.Loopback;

/// <summary>
/// Extended attributes, through /proc/self/fd (the f*xattr calls refuse O_PATH fds): a directory as
/// /proc/self/fd/N with the following calls, anything else as /proc/self/fd/DIR/name with the l*
/// calls, so a symlink's own attributes are meant, never its target's.
/// </summary>
internal sealed unsafe partial class LoopbackFileSystem
{
    public override int GetXattr(in FuseRequestContext ctx, ulong nodeId, ReadOnlySpan<byte> name, Span<byte> buffer, out int valueSize)
    {
        valueSize = 0;
        var inode = inodes.Get(nodeId);
        if (inode is null)
            return Errno.ESTALE;
        var rc = Resolve(inode, out var dirFd, out var pathZ, out _);
        if (rc != 0)
            return rc;
        var fileName = inode.IsDirectory ? default : pathZ.AsSpan(0, pathZ.Length - 1);
        var path = stackalloc byte[NativeText.ProcPathSize + fileName.Length];
        NativeText.ProcFdPath(dirFd, fileName, new Span<byte>(path, NativeText.ProcPathSize + fileName.Length));
        var cname = stackalloc byte[name.Length + 1];
        NativeText.Terminate(name, new Span<byte>(cname, name.Length + 1));
        fixed (byte* value = buffer)
        {
            var n = inode.IsDirectory
                ? Libc.Getxattr(path, cname, value, (nuint)buffer.Length)
                : Libc.Lgetxattr(path, cname, value, (nuint)buffer.Length);
            if (n < 0)
                return Marshal.GetLastPInvokeError();
            valueSize = (int)n;
        }
        return 0;
    }

    public override int ListXattr(in FuseRequestContext ctx, ulong nodeId, Span<byte> buffer, out int listSize)
    {
        listSize = 0;
        var inode = inodes.Get(nodeId);
        if (inode is null)
            return Errno.ESTALE;
        var rc = Resolve(inode, out var dirFd, out var pathZ, out _);
        if (rc != 0)
            return rc;
        var fileName = inode.IsDirectory ? default : pathZ.AsSpan(0, pathZ.Length - 1);
        var path = stackalloc byte[NativeText.ProcPathSize + fileName.Length];
        NativeText.ProcFdPath(dirFd, fileName, new Span<byte>(path, NativeText.ProcPathSize + fileName.Length));
        fixed (byte* list = buffer)
        {
            var n = inode.IsDirectory
                ? Libc.Listxattr(path, list, (nuint)buffer.Length)
                : Libc.Llistxattr(path, list, (nuint)buffer.Length);
            if (n < 0)
                return Marshal.GetLastPInvokeError();
            listSize = (int)n;
        }
        return 0;
    }

    public override int SetXattr(in FuseRequestContext ctx, ulong nodeId, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags)
    {
        var inode = inodes.Get(nodeId);
        if (inode is null)
            return Errno.ESTALE;
        var rc = Resolve(inode, out var dirFd, out var pathZ, out _);
        if (rc != 0)
            return rc;
        var fileName = inode.IsDirectory ? default : pathZ.AsSpan(0, pathZ.Length - 1);
        var path = stackalloc byte[NativeText.ProcPathSize + fileName.Length];
        NativeText.ProcFdPath(dirFd, fileName, new Span<byte>(path, NativeText.ProcPathSize + fileName.Length));
        var cname = stackalloc byte[name.Length + 1];
        NativeText.Terminate(name, new Span<byte>(cname, name.Length + 1));
        fixed (byte* v = value)
        {
            var result = inode.IsDirectory
                ? Libc.Setxattr(path, cname, v, (nuint)value.Length, flags)
                : Libc.Lsetxattr(path, cname, v, (nuint)value.Length, flags);
            return result == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    public override int RemoveXattr(in FuseRequestContext ctx, ulong nodeId, ReadOnlySpan<byte> name)
    {
        var inode = inodes.Get(nodeId);
        if (inode is null)
            return Errno.ESTALE;
        var rc = Resolve(inode, out var dirFd, out var pathZ, out _);
        if (rc != 0)
            return rc;
        var fileName = inode.IsDirectory ? default : pathZ.AsSpan(0, pathZ.Length - 1);
        var path = stackalloc byte[NativeText.ProcPathSize + fileName.Length];
        NativeText.ProcFdPath(dirFd, fileName, new Span<byte>(path, NativeText.ProcPathSize + fileName.Length));
        var cname = stackalloc byte[name.Length + 1];
        NativeText.Terminate(name, new Span<byte>(cname, name.Length + 1));
        var result = inode.IsDirectory ? Libc.Removexattr(path, cname) : Libc.Lremovexattr(path, cname);
        return result == 0 ? 0 : Marshal.GetLastPInvokeError();
    }
}
