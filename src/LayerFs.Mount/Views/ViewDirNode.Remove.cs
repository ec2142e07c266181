using LayerFs.Fuse;
using LayerFs.Mount.Interop;
using LayerFs.Mount.Tree;

namespace LayerFs.Mount.Views;

/// <summary>Removing names: unlink and rmdir, leaving whiteouts where the image has the name.</summary>
internal sealed partial class ViewDirNode
{
    public int Unlink(TreeContext tree, byte[] name)
    {
        using (View.Enter())
        {
            var rc = Probe(tree, name, out var probe);
            if (rc != 0)
                return rc;
            if (!probe.Exists)
                return Errno.ENOENT;
            if (probe.IsDirectory)
                return Errno.EISDIR;
            rc = NodeFor(tree, name, probe, out var node, out _);
            if (rc != 0)
                return rc;
            return RemoveFile(tree, name, probe, (ViewFileNode)node);
        }
    }

    /// <summary>Removes a non-directory name (lock held); also what a rename over it does to the name it replaces.</summary>
    private int RemoveFile(TreeContext tree, byte[] name, Probe probe, ViewFileNode file)
    {
        int rc;
        if (!probe.InUpper && file.Lower is { GroupSize: > 1 })
        {
            // Another name of the group stays: the group becomes one upper inode, whose st_nlink then drops.
            rc = View.CopyUp(tree, file, withData: false);
            if (rc != 0)
                return rc;
            rc = Probe(tree, name, out probe);
            if (rc != 0)
                return rc;
        }
        rc = View.EnsureUpper(tree, this);
        if (rc != 0)
            return rc;
        var fd = View.DirFd(this);
        if (!probe.InUpper)
        {
            rc = View.MakeWhiteout(fd, name);
            if (rc != 0)
                return rc;
            file.Unlinked = true;
            View.Bury(file);
            View.Touched(this);
            return 0;
        }
        if (file.IsPrimary(this, name))
            file.Detach();
        rc = RemoveUpper(name, probe, directory: false);
        if (rc != 0)
            return rc;
        if (probe.Upper.Nlink <= 1)
        {
            View.Table.Delete((long)probe.Upper.Ino);
            View.Bury(file);
        }
        View.Touched(this);
        return 0;
    }

    /// <summary>Takes an upper entry away, leaving a whiteout if the image has the name (rename with RENAME_WHITEOUT, as overlayfs does).</summary>
    private int RemoveUpper(byte[] name, in Probe probe, bool directory)
    {
        var fd = View.DirFd(this);
        if (probe.LowerChild is null && !directory)
            return Host.Unlink(fd, name);
        var temp = View.TempName();
        var rc = Host.Rename(fd, name, View.WorkFd, temp, probe.LowerChild is null ? 0 : Libc.RENAME_WHITEOUT);
        if (rc != 0)
            return rc;
        HostTree.Remove(View.WorkFd, temp);
        return 0;
    }

    public int RmDir(TreeContext tree, byte[] name)
    {
        using (View.Enter())
        {
            var rc = Probe(tree, name, out var probe);
            if (rc != 0)
                return rc;
            if (!probe.Exists)
                return Errno.ENOENT;
            if (!probe.IsDirectory)
                return Errno.ENOTDIR;
            rc = NodeFor(tree, name, probe, out var node, out _);
            if (rc != 0)
                return rc;
            var dir = (ViewDirNode)node;
            rc = dir.ListLocked(tree, out var children);
            if (rc != 0)
                return rc;
            if (children.Count > 0)
                return Errno.ENOTEMPTY;
            rc = View.EnsureUpper(tree, this);
            if (rc != 0)
                return rc;
            View.ForgetDirFd(dir);
            rc = probe.InUpper ? RemoveUpper(name, probe, directory: true) : View.MakeWhiteout(View.DirFd(this), name);
            if (rc != 0)
                return rc;
            dir.Removed = true;
            View.Bury(dir);
            View.Touched(this);
            return 0;
        }
    }

    /// <summary>Empties an upper directory that the view shows empty (whiteouts and the opaque marker are all it may hold).</summary>
    private int ClearUpper(byte[] name)
    {
        var fd = View.DirFd(this);
        var rc = Host.Open(fd, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW, 0, out var child);
        if (rc != 0)
            return rc;
        var entries = new List<Host.DirEntry>();
        rc = Host.ReadDirectory(child, entries);
        foreach (var entry in entries)
            if (rc == 0)
                rc = Host.Unlink(child, entry.Name);
        Host.Close(child);
        return rc;
    }
}
