using LayerFs.Fuse;
using LayerFs.Mount.Interop;
using LayerFs.Mount.Tree;

namespace LayerFs.Mount.Views;

/// <summary>
/// rename(2) and renameat2 (RENAME_NOREPLACE, RENAME_EXCHANGE). An image file is copied up
/// (metadata only) and moved in upper/, leaving a whiteout behind; a directory the image has
/// answers EXDEV, as overlayfs without redirect_dir does (mv then copies it); a directory that
/// lands where the image has an entry is made opaque.
/// </summary>
internal sealed partial class ViewDirNode
{
    public int Rename(TreeContext tree, byte[] name, ViewDirNode target, byte[] newName, FuseRenameFlags flags)
    {
        using (View.Enter())
        {
            var exchange = flags.HasFlag(FuseRenameFlags.Exchange);
            if (flags.HasFlag(FuseRenameFlags.Whiteout))
                return Errno.EINVAL;
            var rc = name.Length > 255 ? Errno.ENAMETOOLONG : CheckNewName(newName);
            if (rc != 0)
                return rc;
            rc = Probe(tree, name, out var src);
            if (rc != 0)
                return rc;
            if (!src.Exists)
                return Errno.ENOENT;
            rc = target.Probe(tree, newName, out var dst);
            if (rc != 0)
                return rc;
            if (exchange && !dst.Exists)
                return Errno.ENOENT;
            if (flags.HasFlag(FuseRenameFlags.NoReplace) && dst.Exists)
                return Errno.EEXIST;
            rc = NodeFor(tree, name, src, out var srcNode, out _);
            if (rc != 0)
                return rc;
            ViewNode? dstNode = null;
            if (dst.Exists)
            {
                rc = target.NodeFor(tree, newName, dst, out dstNode, out _);
                if (rc != 0)
                    return rc;
            }
            if (!exchange && ReferenceEquals(srcNode, dstNode))
                return 0;
            if (!exchange && dst.Exists)
            {
                if (src.IsDirectory && !dst.IsDirectory)
                    return Errno.ENOTDIR;
                if (!src.IsDirectory && dst.IsDirectory)
                    return Errno.EISDIR;
                if (dst.IsDirectory)
                {
                    rc = ((ViewDirNode)dstNode!).ListLocked(tree, out var children);
                    if (rc != 0)
                        return rc;
                    if (children.Count > 0)
                        return Errno.ENOTEMPTY;
                }
            }
            if (srcNode is ViewDirNode { Lower.Length: > 0 } || (exchange && dstNode is ViewDirNode { Lower.Length: > 0 }))
                return Errno.EXDEV;

            rc = View.EnsureUpper(tree, this);
            if (rc == 0)
                rc = View.EnsureUpper(tree, target);
            if (rc == 0 && srcNode is ViewFileNode { IsUpper: false } srcFile)
                rc = View.CopyUp(tree, srcFile, withData: false);
            if (rc == 0 && dstNode is ViewFileNode { IsUpper: false, Lower.GroupSize: > 1 } dstFile)
                rc = View.CopyUp(tree, dstFile, withData: false);
            if (rc == 0 && exchange && dstNode is ViewFileNode { IsUpper: false } dstLower)
                rc = View.CopyUp(tree, dstLower, withData: false);
            if (rc == 0)
                rc = Probe(tree, name, out src);
            if (rc == 0)
                rc = target.Probe(tree, newName, out dst);
            if (rc != 0)
                return rc;
            var fromFd = View.DirFd(this);
            var toFd = View.DirFd(target);
            return exchange
                ? Exchange(name, target, newName, src, dst, srcNode, dstNode!, fromFd, toFd)
                : Move(name, target, newName, src, dst, srcNode, dstNode, fromFd, toFd);
        }
    }

    private int Exchange(byte[] name, ViewDirNode target, byte[] newName, in Probe src, in Probe dst, ViewNode srcNode, ViewNode dstNode, int fromFd, int toFd)
    {
        var rc = 0;
        if (src.IsDirectory && dst.LowerChild is not null)
            rc = MarkOpaque(fromFd, name);
        if (rc == 0 && dst.IsDirectory && src.LowerChild is not null)
            rc = MarkOpaque(toFd, newName);
        if (rc == 0)
            rc = Host.Rename(fromFd, name, toFd, newName, Libc.RENAME_EXCHANGE);
        if (rc != 0)
            return rc;
        var srcWasPrimary = srcNode.IsPrimary(this, name);
        var dstWasPrimary = dstNode.IsPrimary(target, newName);
        if (srcWasPrimary)
            (srcNode.Parent, srcNode.Name) = (target, newName);
        if (dstWasPrimary)
            (dstNode.Parent, dstNode.Name) = (this, name);
        View.Touched(this);
        View.Touched(target);
        return 0;
    }

    private int Move(byte[] name, ViewDirNode target, byte[] newName, in Probe src, in Probe dst, ViewNode srcNode, ViewNode? dstNode, int fromFd, int toFd)
    {
        var rc = 0;
        if (dst.InUpper && dst.IsDirectory)
            rc = target.ClearUpper(newName);
        if (rc == 0 && src.IsDirectory && dst.LowerChild is not null)
            rc = MarkOpaque(fromFd, name);
        if (rc != 0)
            return rc;
        // The replaced name's node keeps its inode while the kernel holds it (an open file stays readable).
        if (dst.InUpper && dstNode is ViewFileNode replaced && replaced.IsPrimary(target, newName))
            replaced.Detach();
        var leaveWhiteout = src.LowerChild is not null;
        if (dst.Whiteout && src.IsDirectory)
        {
            // A directory cannot replace the whiteout (a device) by rename: exchange them instead.
            rc = Host.Rename(fromFd, name, toFd, newName, Libc.RENAME_EXCHANGE);
            if (rc == 0 && !leaveWhiteout)
                rc = Host.Unlink(fromFd, name);
        }
        else
        {
            rc = Host.Rename(fromFd, name, toFd, newName, leaveWhiteout ? Libc.RENAME_WHITEOUT : 0);
        }
        if (rc != 0)
            return rc;
        if (dstNode is not null && dst.Exists)
        {
            if (dstNode is ViewFileNode file && !dst.InUpper)
            {
                file.Unlinked = true;
                View.Bury(file);
            }
            else if (dstNode is ViewDirNode dir)
            {
                dir.Removed = true;
                View.Bury(dir);
            }
            else if (dst.Upper.Nlink <= 1)
            {
                View.Table.Delete((long)dst.Upper.Ino);
                View.Bury(dstNode);
            }
        }
        if (srcNode.IsPrimary(this, name))
            (srcNode.Parent, srcNode.Name) = (target, newName);
        if (srcNode is ViewDirNode moved && dst.LowerChild is not null)
            moved.Lower = [];
        View.Touched(this);
        View.Touched(target);
        return 0;
    }
}
