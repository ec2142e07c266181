using System.Runtime.InteropServices;
using LayerFs.Examples.Loopback.Interop;
using LayerFs.Fuse;

namespace LayerFs.Examples.Loopback;

/// <summary>Operations that change the tree: create nodes, link, unlink, rename, set attributes.</summary>
internal sealed unsafe partial class LoopbackFileSystem
{
    public override int SetAttr(in FuseRequestContext ctx, ulong nodeId, in FuseSetAttr changes, out FuseAttr attr, out TimeSpan attrTimeout)
    {
        attr = default;
        attrTimeout = options.Timeout;
        var inode = inodes.Get(nodeId);
        if (inode is null)
            return Errno.ESTALE;
        var rc = Resolve(inode, out var dirFd, out var path, out var emptyPath);
        if (rc != 0)
            return rc;
        fixed (byte* p = path)
            rc = Apply(inode, dirFd, p, emptyPath, changes);
        return rc != 0 ? rc : GetAttr(inode, out attr);
    }

    public override int MkNod(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, uint mode, uint rdev, uint umask, out FuseEntry entry)
    {
        entry = default;
        var dir = inodes.Get(parent);
        if (dir is null)
            return Errno.ESTALE;
        var cname = stackalloc byte[name.Length + 1];
        NativeText.Terminate(name, new Span<byte>(cname, name.Length + 1));
        if (Libc.Mknodat(dir.Fd, cname, mode, DecodeDevice(rdev)) != 0)
            return Marshal.GetLastPInvokeError();
        return Created(ctx, dir, cname, name, out entry);
    }

    public override int MkDir(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, uint mode, uint umask, out FuseEntry entry)
    {
        entry = default;
        var dir = inodes.Get(parent);
        if (dir is null)
            return Errno.ESTALE;
        var cname = stackalloc byte[name.Length + 1];
        NativeText.Terminate(name, new Span<byte>(cname, name.Length + 1));
        if (Libc.Mkdirat(dir.Fd, cname, mode) != 0)
            return Marshal.GetLastPInvokeError();
        return Created(ctx, dir, cname, name, out entry);
    }

    public override int Symlink(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out FuseEntry entry)
    {
        entry = default;
        var dir = inodes.Get(parent);
        if (dir is null)
            return Errno.ESTALE;
        var cname = stackalloc byte[name.Length + 1];
        NativeText.Terminate(name, new Span<byte>(cname, name.Length + 1));
        var ctarget = stackalloc byte[target.Length + 1];
        NativeText.Terminate(target, new Span<byte>(ctarget, target.Length + 1));
        if (Libc.Symlinkat(ctarget, dir.Fd, cname) != 0)
            return Marshal.GetLastPInvokeError();
        return Created(ctx, dir, cname, name, out entry);
    }

    public override int Link(in FuseRequestContext ctx, ulong nodeId, ulong newParent, ReadOnlySpan<byte> newName, out FuseEntry entry)
    {
        entry = default;
        var inode = inodes.Get(nodeId);
        var dir = inodes.Get(newParent);
        if (inode is null || dir is null)
            return Errno.ESTALE;
        var rc = Resolve(inode, out var fromDir, out var fromName, out var emptyPath);
        if (rc != 0)
            return rc;
        var cname = stackalloc byte[newName.Length + 1];
        NativeText.Terminate(newName, new Span<byte>(cname, newName.Length + 1));
        fixed (byte* p = fromName)
            rc = Libc.Linkat(fromDir, p, dir.Fd, cname, emptyPath);
        if (rc != 0)
            return Marshal.GetLastPInvokeError();
        // A hard link is one more name of the same node.
        inodes.AddLookup(inode);
        inodes.AddName(inode, dir.NodeId, newName);
        rc = GetAttr(inode, out var attr);
        if (rc != 0)
        {
            inodes.Forget(inode.NodeId, 1);
            return rc;
        }
        entry = MakeEntry(inode, attr);
        return 0;
    }

    public override int Unlink(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name) => Remove(parent, name, 0);

    public override int RmDir(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name) => Remove(parent, name, Libc.AT_REMOVEDIR);

    public override int Rename(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, FuseRenameFlags flags)
    {
        var from = inodes.Get(parent);
        var to = inodes.Get(newParent);
        if (from is null || to is null)
            return Errno.ESTALE;
        var cold = stackalloc byte[name.Length + 1];
        NativeText.Terminate(name, new Span<byte>(cold, name.Length + 1));
        var cnew = stackalloc byte[newName.Length + 1];
        NativeText.Terminate(newName, new Span<byte>(cnew, newName.Length + 1));
        var moving = TryIdentify(from.Fd, cold, out var movingDev, out var movingIno);
        var replaced = TryIdentify(to.Fd, cnew, out var replacedDev, out var replacedIno);
        // NOREPLACE, EXCHANGE and WHITEOUT have the kernel's values: hand them straight to renameat2.
        if (Libc.Renameat2(from.Fd, cold, to.Fd, cnew, (uint)flags) != 0)
            return Marshal.GetLastPInvokeError();
        if (replaced && flags.HasFlag(FuseRenameFlags.Exchange))
            inodes.MoveName(replacedDev, replacedIno, to.NodeId, newName, from.NodeId, name);
        else if (replaced)
            inodes.RemoveName(replacedDev, replacedIno, to.NodeId, newName);
        if (moving)
            inodes.MoveName(movingDev, movingIno, from.NodeId, name, to.NodeId, newName);
        return 0;
    }

    private int Remove(ulong parent, ReadOnlySpan<byte> name, int flags)
    {
        var dir = inodes.Get(parent);
        if (dir is null)
            return Errno.ESTALE;
        var cname = stackalloc byte[name.Length + 1];
        NativeText.Terminate(name, new Span<byte>(cname, name.Length + 1));
        var known = TryIdentify(dir.Fd, cname, out var device, out var inodeNumber);
        if (Libc.Unlinkat(dir.Fd, cname, flags) != 0)
            return Marshal.GetLastPInvokeError();
        if (known)
            inodes.RemoveName(device, inodeNumber, dir.NodeId, name);
        return 0;
    }

    /// <summary>Applies SETATTR to the node at dirFd/path (path "" with AT_EMPTY_PATH for a directory).</summary>
    private int Apply(Inode inode, int dirFd, byte* path, int emptyPath, in FuseSetAttr changes)
    {
        var valid = changes.Valid;
        var fh = valid.HasFlag(FuseSetAttrValid.Fh) ? (int)changes.Fh : -1;
        if (valid.HasFlag(FuseSetAttrValid.Mode))
        {
            if (inode.IsSymlink)
                return Errno.EOPNOTSUPP; // Linux has no lchmod
            int rc;
            if (fh >= 0)
            {
                rc = Libc.Fchmod(fh, changes.Mode);
            }
            else if (inode.IsDirectory)
            {
                // fchmodat takes no AT_EMPTY_PATH before Linux 6.6; go through /proc.
                var proc = stackalloc byte[NativeText.ProcPathSize];
                NativeText.ProcFdPath(dirFd, default, new Span<byte>(proc, NativeText.ProcPathSize));
                rc = Libc.Fchmodat(Libc.AT_FDCWD, proc, changes.Mode, 0);
            }
            else
            {
                rc = Libc.Fchmodat(dirFd, path, changes.Mode, 0);
            }
            if (rc != 0)
                return Marshal.GetLastPInvokeError();
        }
        if (valid.HasFlag(FuseSetAttrValid.Uid) || valid.HasFlag(FuseSetAttrValid.Gid))
        {
            var uid = valid.HasFlag(FuseSetAttrValid.Uid) ? changes.Uid : uint.MaxValue;
            var gid = valid.HasFlag(FuseSetAttrValid.Gid) ? changes.Gid : uint.MaxValue;
            if (Libc.Fchownat(dirFd, path, uid, gid, emptyPath | Libc.AT_SYMLINK_NOFOLLOW) != 0)
                return Marshal.GetLastPInvokeError();
        }
        if (valid.HasFlag(FuseSetAttrValid.Size))
        {
            var rc = fh >= 0 ? Libc.Ftruncate(fh, (long)changes.Size) : TruncateByName(dirFd, path, (long)changes.Size);
            if (rc != 0)
                return rc == -1 ? Marshal.GetLastPInvokeError() : rc;
        }
        if ((valid & (FuseSetAttrValid.ATime | FuseSetAttrValid.MTime | FuseSetAttrValid.ATimeNow | FuseSetAttrValid.MTimeNow)) != 0)
        {
            var times = stackalloc Timespec[2];
            times[0] = TimeArgument(valid, FuseSetAttrValid.ATime, FuseSetAttrValid.ATimeNow, changes.ATime, changes.ATimeNsec);
            times[1] = TimeArgument(valid, FuseSetAttrValid.MTime, FuseSetAttrValid.MTimeNow, changes.MTime, changes.MTimeNsec);
            if (Libc.Utimensat(dirFd, path, times, emptyPath | Libc.AT_SYMLINK_NOFOLLOW) != 0)
                return Marshal.GetLastPInvokeError();
        }
        return 0;
    }

    /// <summary>truncate(2) of dirFd/path: open it for writing, ftruncate, close. Returns 0, -1 (errno set) or an errno.</summary>
    private static int TruncateByName(int dirFd, byte* path, long size)
    {
        var fd = Libc.Openat(dirFd, path, Libc.O_WRONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0)
            return -1;
        var rc = Libc.Ftruncate(fd, size) == 0 ? 0 : Marshal.GetLastPInvokeError();
        Libc.Close(fd);
        return rc;
    }

    /// <summary>After creating name in dir: give it to the caller (when we run as root for others) and look it up.</summary>
    private int Created(in FuseRequestContext ctx, Inode dir, byte* cname, ReadOnlySpan<byte> name, out FuseEntry entry)
    {
        if (runningAsRoot && (ctx.Uid != 0 || ctx.Gid != 0))
            Libc.Fchownat(dir.Fd, cname, ctx.Uid, ctx.Gid, Libc.AT_SYMLINK_NOFOLLOW);
        return LookupChild(dir, name, out entry);
    }

    private static Timespec TimeArgument(FuseSetAttrValid valid, FuseSetAttrValid set, FuseSetAttrValid now, long seconds, uint nanoseconds)
    {
        if (valid.HasFlag(now))
            return new Timespec { Nsec = Libc.UTIME_NOW };
        if (valid.HasFlag(set))
            return new Timespec { Sec = seconds, Nsec = nanoseconds };
        return new Timespec { Nsec = Libc.UTIME_OMIT };
    }
}
