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
        var valid = changes.Valid;
        var fh = valid.HasFlag(FuseSetAttrValid.Fh) ? (int)changes.Fh : -1;
        var path = stackalloc byte[NativeText.ProcPathSize];
        NativeText.ProcFdPath(inode.Fd, new Span<byte>(path, NativeText.ProcPathSize));
        byte empty = 0;

        if (valid.HasFlag(FuseSetAttrValid.Mode))
        {
            if (inode.IsSymlink)
                return Errno.EOPNOTSUPP; // Linux has no lchmod
            var rc = fh >= 0 ? Libc.Fchmod(fh, changes.Mode) : Libc.Fchmodat(Libc.AT_FDCWD, path, changes.Mode, 0);
            if (rc != 0)
                return Marshal.GetLastPInvokeError();
        }
        if (valid.HasFlag(FuseSetAttrValid.Uid) || valid.HasFlag(FuseSetAttrValid.Gid))
        {
            var uid = valid.HasFlag(FuseSetAttrValid.Uid) ? changes.Uid : uint.MaxValue;
            var gid = valid.HasFlag(FuseSetAttrValid.Gid) ? changes.Gid : uint.MaxValue;
            if (Libc.Fchownat(inode.Fd, &empty, uid, gid, Libc.AT_EMPTY_PATH | Libc.AT_SYMLINK_NOFOLLOW) != 0)
                return Marshal.GetLastPInvokeError();
        }
        if (valid.HasFlag(FuseSetAttrValid.Size))
        {
            var rc = fh >= 0 ? Libc.Ftruncate(fh, (long)changes.Size) : Libc.Truncate(path, (long)changes.Size);
            if (rc != 0)
                return Marshal.GetLastPInvokeError();
        }
        if ((valid & (FuseSetAttrValid.ATime | FuseSetAttrValid.MTime | FuseSetAttrValid.ATimeNow | FuseSetAttrValid.MTimeNow)) != 0)
        {
            var times = stackalloc Timespec[2];
            times[0] = TimeArgument(valid, FuseSetAttrValid.ATime, FuseSetAttrValid.ATimeNow, changes.ATime, changes.ATimeNsec);
            times[1] = TimeArgument(valid, FuseSetAttrValid.MTime, FuseSetAttrValid.MTimeNow, changes.MTime, changes.MTimeNsec);
            if (Libc.Utimensat(inode.Fd, &empty, times, Libc.AT_EMPTY_PATH | Libc.AT_SYMLINK_NOFOLLOW) != 0)
                return Marshal.GetLastPInvokeError();
        }
        var statRc = StatFd(inode.Fd, out var st);
        if (statRc == 0)
            attr = ToAttr(st);
        return statRc;
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
        var cname = stackalloc byte[newName.Length + 1];
        NativeText.Terminate(newName, new Span<byte>(cname, newName.Length + 1));
        int rc;
        if (runningAsRoot)
        {
            // linkat(fd, "", AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH; it also links symlinks themselves.
            byte empty = 0;
            rc = Libc.Linkat(inode.Fd, &empty, dir.Fd, cname, Libc.AT_EMPTY_PATH);
        }
        else
        {
            var path = stackalloc byte[NativeText.ProcPathSize];
            NativeText.ProcFdPath(inode.Fd, new Span<byte>(path, NativeText.ProcPathSize));
            rc = Libc.Linkat(Libc.AT_FDCWD, path, dir.Fd, cname, Libc.AT_SYMLINK_FOLLOW);
        }
        if (rc != 0)
            return Marshal.GetLastPInvokeError();
        // A hard link is one more name of the same node.
        inodes.AddLookup(inode);
        return FillEntry(inode, out entry);
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
        // NOREPLACE, EXCHANGE and WHITEOUT have the kernel's values: hand them straight to renameat2.
        return Libc.Renameat2(from.Fd, cold, to.Fd, cnew, (uint)flags) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    private int Remove(ulong parent, ReadOnlySpan<byte> name, int flags)
    {
        var dir = inodes.Get(parent);
        if (dir is null)
            return Errno.ESTALE;
        var cname = stackalloc byte[name.Length + 1];
        NativeText.Terminate(name, new Span<byte>(cname, name.Length + 1));
        return Libc.Unlinkat(dir.Fd, cname, flags) == 0 ? 0 : Marshal.GetLastPInvokeError();
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
