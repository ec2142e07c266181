using LayerFs.Fuse;
using LayerFs.Mount.Interop;
using LayerFs.Mount.Tree;
using Microsoft.Win32.SafeHandles;

namespace LayerFs.Mount.Views;

/// <summary>Opening, and changing a file's attributes and xattrs (each copies an image file up first).</summary>
internal sealed partial class ViewFileNode
{
    private const int ETXTBSY = 26;

    /// <summary>
    /// Opens the file. Reading an image file (or a metacopy) reads its object; a write open copies
    /// the content up first and opens the upper file. While the image's object is open for reading
    /// through passthrough, the kernel cannot also serve the upper file for the same inode: such an
    /// open answers ETXTBSY, as the kernel itself would.
    /// </summary>
    public int Open(TreeContext tree, int flags, out ViewHandle? handle)
    {
        handle = null;
        using (View.Enter())
        {
            if (Type != Attributes.Regular)
                return Errno.EINVAL;
            var truncate = (flags & Libc.O_TRUNC) != 0;
            var writing = (flags & Libc.O_ACCMODE) != Libc.O_RDONLY || truncate;
            int rc;
            if (writing)
            {
                if (Unlinked)
                    return Errno.ENOENT;
                rc = View.CopyUp(tree, this, withData: !truncate);
                if (rc != 0)
                    return rc;
                rc = StatUpper(out var st);
                if (rc != 0)
                    return rc;
                if (truncate && Row(st) is { Object: not null } row)
                    View.Table.ClearObject(row.Ino);
                if (ObjectOpens > 0)
                    return ETXTBSY;
                rc = OpenUpper(Libc.O_RDWR, out var fd);
                if (rc != 0)
                    return rc;
                if (truncate && (rc = Host.Truncate(fd, 0)) != 0)
                {
                    Host.Close(fd);
                    return rc;
                }
                handle = new ViewHandle(this, new SafeFileHandle(fd, ownsHandle: true), onObject: false, writable: true);
                return 0;
            }
            byte[]? obj;
            long size;
            if (Lower is { } lower)
            {
                obj = lower.Attributes.Object;
                size = lower.Attributes.Size;
            }
            else
            {
                rc = StatUpper(out var st);
                if (rc != 0)
                    return rc;
                if (Row(st) is { Object: { } hex } row)
                {
                    obj = Convert.FromHexString(hex);
                    size = row.Size;
                }
                else
                {
                    if (ObjectOpens > 0)
                        return ETXTBSY;
                    rc = OpenUpper(Libc.O_RDONLY, out var fd);
                    if (rc != 0)
                        return rc;
                    handle = new ViewHandle(this, new SafeFileHandle(fd, ownsHandle: true), onObject: false, writable: false);
                    return 0;
                }
            }
            if (obj is null || size == 0)
            {
                handle = new ViewHandle(this, null, onObject: false, writable: false);
                return 0;
            }
            rc = Host.Open(Libc.AT_FDCWD, System.Text.Encoding.UTF8.GetBytes(tree.Layout.ObjectPath(obj)), Libc.O_RDONLY, 0, out var objectFd);
            if (rc != 0)
            {
                Serilog.Log.Warning("view {View}: object {Object} is missing from the store", View.Info.Name, Convert.ToHexStringLower(obj));
                return Errno.EIO;
            }
            ObjectOpens++;
            handle = new ViewHandle(this, new SafeFileHandle(objectFd, ownsHandle: true), onObject: true, writable: false);
            return 0;
        }
    }

    public int SetAttr(TreeContext tree, in FuseSetAttr changes, ViewHandle? handle, uint callerPid, out FuseAttr attr)
    {
        attr = default;
        using (View.Enter())
        {
            int rc;
            var fields = changes.Valid & ~(FuseSetAttrValid.Fh | FuseSetAttrValid.LockOwner | FuseSetAttrValid.KillSuidGid);
            if (fields == FuseSetAttrValid.None)
            {
                // The kernel's file_remove_privs before a write it does not send us (passthrough, or fallocate).
                rc = KillPrivileges(setIdBits: !CallerCapabilities.HasFsetid(callerPid), capability: true);
                return rc != 0 ? rc : GetAttrLocked(tree, out attr);
            }
            if (changes.Valid.HasFlag(FuseSetAttrValid.Size))
            {
                if (Type != Attributes.Regular)
                    return Errno.EINVAL;
                var size = (long)changes.Size;
                rc = View.CopyUp(tree, this, withData: size != 0);
                if (rc != 0)
                    return rc;
                rc = StatUpper(out var st);
                if (rc != 0)
                    return rc;
                if (Row(st) is { Object: not null } row)
                {
                    rc = size == 0 ? 0 : View.FillData(tree, this);
                    if (rc != 0)
                        return rc;
                    View.Table.ClearObject(row.Ino);
                }
                if (handle is not null && handle.Truncate(size) == 0)
                {
                    rc = 0;
                }
                else
                {
                    rc = OpenUpper(Libc.O_WRONLY, out var fd);
                    if (rc != 0)
                        return rc;
                    rc = Host.Truncate(fd, size);
                    Host.Close(fd);
                }
                if (rc != 0)
                    return rc;
                // A truncate by a caller without CAP_FSETID (the host's truncate, as root, clears only the capability).
                if (changes.Valid.HasFlag(FuseSetAttrValid.KillSuidGid) && (rc = KillPrivileges(setIdBits: true, capability: false)) != 0)
                    return rc;
            }
            // A chown clears set-id bits and the capability by itself (the host does it on the upper file).
            if ((changes.Valid & ~(FuseSetAttrValid.Size | FuseSetAttrValid.Fh | FuseSetAttrValid.LockOwner | FuseSetAttrValid.KillSuidGid)) != 0)
            {
                rc = View.CopyUp(tree, this, withData: false);
                if (rc != 0)
                    return rc;
                rc = ApplyMetadata(changes, ChownUpper, ChmodUpper, TimesUpper);
                if (rc != 0)
                    return rc;
            }
            return GetAttrLocked(tree, out attr);
        }
    }

    /// <summary>
    /// What a write, truncate or chown does to a regular file's privileges on a real filesystem, as
    /// FUSE_HANDLE_KILLPRIV_V2 leaves it to the view: S_ISUID goes, S_ISGID too if the group may
    /// execute (setIdBits: the caller lacks CAP_FSETID), and security.capability (always). Image
    /// files are untouched: every write or truncate copies the file up first. Lock held.
    /// </summary>
    public int KillPrivileges(bool setIdBits, bool capability)
    {
        if (Type != Attributes.Regular || !IsUpper)
            return 0;
        var rc = StatUpper(out var st);
        if (rc != 0)
            return rc;
        var mode = (uint)st.Mode & 0xFFFu;
        var kept = mode;
        if (setIdBits)
        {
            kept &= ~Host.S_ISUID;
            if ((mode & Host.S_IXGRP) != 0)
                kept &= ~Host.S_ISGID;
        }
        if (kept != mode && (rc = ChmodUpper(kept)) != 0)
            return rc;
        if (capability && XattrPath() is (var path, var follow))
        {
            rc = Host.RemoveXattr(path, "security.capability"u8, follow);
            if (rc != 0 && rc != Errno.ENODATA)
                return rc;
        }
        return 0;
    }

    /// <summary>chown, then chmod (a chown clears set-id bits the chmod may set again), then times.</summary>
    public static int ApplyMetadata(in FuseSetAttr changes, Func<uint, uint, int> chown, Func<uint, int> chmod, Func<Timespec, Timespec, int> times)
    {
        var valid = changes.Valid;
        if ((valid & (FuseSetAttrValid.Uid | FuseSetAttrValid.Gid)) != 0)
        {
            var rc = chown(valid.HasFlag(FuseSetAttrValid.Uid) ? changes.Uid : uint.MaxValue, valid.HasFlag(FuseSetAttrValid.Gid) ? changes.Gid : uint.MaxValue);
            if (rc != 0)
                return rc;
        }
        if (valid.HasFlag(FuseSetAttrValid.Mode))
        {
            var rc = chmod(changes.Mode);
            if (rc != 0)
                return rc;
        }
        if ((valid & (FuseSetAttrValid.ATime | FuseSetAttrValid.MTime | FuseSetAttrValid.ATimeNow | FuseSetAttrValid.MTimeNow)) != 0)
        {
            var atime = valid.HasFlag(FuseSetAttrValid.ATimeNow) ? Host.Now : valid.HasFlag(FuseSetAttrValid.ATime) ? Host.Time(changes.ATime, changes.ATimeNsec) : Host.Omit;
            var mtime = valid.HasFlag(FuseSetAttrValid.MTimeNow) ? Host.Now : valid.HasFlag(FuseSetAttrValid.MTime) ? Host.Time(changes.MTime, changes.MTimeNsec) : Host.Omit;
            return times(atime, mtime);
        }
        return 0;
    }

    public int SetXattr(TreeContext tree, byte[] name, ReadOnlySpan<byte> value, int flags)
    {
        using (View.Enter())
        {
            var rc = View.CopyUp(tree, this, withData: false);
            if (rc != 0)
                return rc;
            return XattrPath() is (var path, var follow) ? Host.SetXattr(path, name, value, flags, follow) : Errno.ENOENT;
        }
    }

    public int RemoveXattr(TreeContext tree, byte[] name)
    {
        using (View.Enter())
        {
            if (Lower is { } lower && !tree.Reader.Tree.Xattrs(lower.Attributes.Id).Any(x => x.Key == System.Text.Encoding.UTF8.GetString(name)))
                return Errno.ENODATA;
            var rc = View.CopyUp(tree, this, withData: false);
            if (rc != 0)
                return rc;
            return XattrPath() is (var path, var follow) ? Host.RemoveXattr(path, name, follow) : Errno.ENOENT;
        }
    }
}
