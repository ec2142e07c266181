using LayerFs.Fuse;
using LayerFs.Mount.Interop;
using LayerFs.Mount.Tree;

namespace LayerFs.Mount.Views;

/// <summary>A directory's own attributes and xattrs (each copies it up first).</summary>
internal sealed partial class ViewDirNode
{
    public int SetAttr(TreeContext tree, in FuseSetAttr changes, out FuseAttr attr)
    {
        attr = default;
        using (View.Enter())
        {
            if (changes.Valid.HasFlag(FuseSetAttrValid.Size))
                return Errno.EISDIR;
            var rc = View.EnsureUpper(tree, this);
            if (rc != 0)
                return rc;
            var fd = View.DirFd(this);
            var proc = Host.ProcPath(fd).AsSpan()[..^1].ToArray();
            rc = ViewFileNode.ApplyMetadata(changes,
                (uid, gid) => Host.Chown(fd, ""u8, uid, gid, Libc.AT_EMPTY_PATH | Libc.AT_SYMLINK_NOFOLLOW),
                mode => Host.Chmod(Libc.AT_FDCWD, proc, mode),
                (atime, mtime) => Host.SetTimes(Libc.AT_FDCWD, proc, atime, mtime, 0));
            return rc != 0 ? rc : GetAttrLocked(tree, out attr);
        }
    }

    public int SetXattr(TreeContext tree, byte[] name, ReadOnlySpan<byte> value, int flags)
    {
        using (View.Enter())
        {
            var rc = View.EnsureUpper(tree, this);
            if (rc != 0)
                return rc;
            return Host.SetXattr(XattrPath()!, name, value, flags);
        }
    }

    public int RemoveXattr(TreeContext tree, byte[] name)
    {
        using (View.Enter())
        {
            var rc = View.EnsureUpper(tree, this);
            if (rc != 0)
                return rc;
            return Host.RemoveXattr(XattrPath()!, name);
        }
    }

    /// <summary>fsync of the directory: its upper directory and every one whose names changed.</summary>
    public int Fsync()
    {
        using (View.Enter())
        {
            var fd = View.DirFd(this);
            if (fd >= 0)
                View.Touched(this);
            return View.SyncDirectories();
        }
    }
}
