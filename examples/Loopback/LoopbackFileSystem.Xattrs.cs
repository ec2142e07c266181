using System.Runtime.InteropServices;
using LayerFs.Examples.Loopback.Interop;
using LayerFs.Fuse;

namespace LayerFs.Examples.Loopback;

/// <summary>
/// Extended attributes, through /proc/self/fd/N of the node's O_PATH fd (the f*xattr calls refuse
/// O_PATH fds). A symlink cannot be reached that way without following it, so symlinks report no
/// attributes and refuse to get any (as passthrough_hp does; Linux forbids user.* on symlinks anyway).
/// </summary>
internal sealed unsafe partial class LoopbackFileSystem
{
    public override int GetXattr(in FuseRequestContext ctx, ulong nodeId, ReadOnlySpan<byte> name, Span<byte> buffer, out int valueSize)
    {
        valueSize = 0;
        var inode = inodes.Get(nodeId);
        if (inode is null)
            return Errno.ESTALE;
        if (inode.IsSymlink)
            return Errno.ENODATA;
        var path = stackalloc byte[NativeText.ProcPathSize];
        NativeText.ProcFdPath(inode.Fd, new Span<byte>(path, NativeText.ProcPathSize));
        var cname = stackalloc byte[name.Length + 1];
        NativeText.Terminate(name, new Span<byte>(cname, name.Length + 1));
        fixed (byte* value = buffer)
        {
            var n = Libc.Getxattr(path, cname, value, (nuint)buffer.Length);
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
        if (inode.IsSymlink)
            return 0;
        var path = stackalloc byte[NativeText.ProcPathSize];
        NativeText.ProcFdPath(inode.Fd, new Span<byte>(path, NativeText.ProcPathSize));
        fixed (byte* list = buffer)
        {
            var n = Libc.Listxattr(path, list, (nuint)buffer.Length);
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
        if (inode.IsSymlink)
            return Errno.EPERM;
        var path = stackalloc byte[NativeText.ProcPathSize];
        NativeText.ProcFdPath(inode.Fd, new Span<byte>(path, NativeText.ProcPathSize));
        var cname = stackalloc byte[name.Length + 1];
        NativeText.Terminate(name, new Span<byte>(cname, name.Length + 1));
        fixed (byte* v = value)
            return Libc.Setxattr(path, cname, v, (nuint)value.Length, flags) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public override int RemoveXattr(in FuseRequestContext ctx, ulong nodeId, ReadOnlySpan<byte> name)
    {
        var inode = inodes.Get(nodeId);
        if (inode is null)
            return Errno.ESTALE;
        if (inode.IsSymlink)
            return Errno.EPERM;
        var path = stackalloc byte[NativeText.ProcPathSize];
        NativeText.ProcFdPath(inode.Fd, new Span<byte>(path, NativeText.ProcPathSize));
        var cname = stackalloc byte[name.Length + 1];
        NativeText.Terminate(name, new Span<byte>(cname, name.Length + 1));
        return Libc.Removexattr(path, cname) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }
}
