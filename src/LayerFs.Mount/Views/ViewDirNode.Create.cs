using LayerFs.Fuse;
using LayerFs.Mount.Interop;
using LayerFs.Mount.Tree;

namespace LayerFs.Mount.Views;

/// <summary>New names: create, mkdir, mknod, symlink, link.</summary>
internal sealed partial class ViewDirNode
{
    /// <summary>Who asked, for the owner of what they make.</summary>
    public readonly record struct Caller(uint Uid, uint Gid);

    /// <summary>ENAMETOOLONG past NAME_MAX (never ENOENT); EINVAL for the ".wh." names a view keeps for itself.</summary>
    public static int CheckNewName(ReadOnlySpan<byte> name)
    {
        if (name.Length > 255)
            return Errno.ENAMETOOLONG;
        return IsReserved(name) ? Errno.EINVAL : 0;
    }

    /// <summary>
    /// Makes a new entry NAME here with <paramref name="make"/> (given a directory fd and a name):
    /// in place, or, over a whiteout, in work/ and then renamed over it (a directory made there is
    /// opaque: nothing of the image's entry shows through). Owner: the caller (group: the
    /// directory's if it is set-group-id), mode as asked.
    /// </summary>
    private int MakeEntry(TreeContext tree, byte[] name, in Probe probe, Caller caller, uint mode, Func<int, byte[], int> make, out Statx st)
    {
        st = default;
        var rc = View.EnsureUpper(tree, this);
        if (rc != 0)
            return rc;
        var fd = View.DirFd(this);
        rc = Host.StatFd(fd, out var parent);
        if (rc != 0)
            return rc;
        var gid = caller.Gid;
        var isDir = (mode & Host.S_IFMT) == Host.S_IFDIR;
        if ((parent.Mode & Host.S_ISGID) != 0)
        {
            gid = parent.Gid;
            if (isDir)
                mode |= Host.S_ISGID;
        }
        if (!probe.Whiteout)
        {
            rc = make(fd, name);
            if (rc != 0)
                return rc;
            rc = Own(tree, fd, name, caller.Uid, gid, mode);
            if (rc != 0)
            {
                Host.Unlink(fd, name, isDir);
                return rc;
            }
        }
        else
        {
            var work = View.WorkFd;
            var temp = View.TempName();
            rc = make(work, temp);
            if (rc != 0)
                return rc;
            rc = Own(tree, work, temp, caller.Uid, gid, mode);
            if (rc == 0 && isDir && probe.LowerChild is not null)
                rc = MarkOpaque(work, temp);
            if (rc == 0)
            {
                // A directory cannot be renamed over the whiteout (a device): exchange, then drop the whiteout.
                rc = isDir ? Host.Rename(work, temp, fd, name, Libc.RENAME_EXCHANGE) : Host.Rename(work, temp, fd, name);
                if (rc == 0 && isDir)
                    Host.Unlink(work, temp);
            }
            if (rc != 0)
            {
                HostTree.Remove(work, temp);
                return rc;
            }
        }
        View.Touched(this);
        return Host.Stat(fd, name, out st);
    }

    /// <summary>Gives an entry the daemon made its owner, and the mode the daemon's umask or the chown may have cut.</summary>
    private static int Own(TreeContext tree, int dirFd, byte[] name, uint uid, uint gid, uint mode)
    {
        var chowned = uid != tree.Owner.Uid || gid != tree.Owner.Gid;
        if (chowned)
        {
            var rc = Host.Chown(dirFd, name, uid, gid);
            if (rc != 0)
                return rc;
        }
        if ((mode & Host.S_IFMT) == Host.S_IFLNK)
            return 0;
        return Host.Chmod(dirFd, name, mode);
    }

    /// <summary>Puts the opaque marker into directory NAME of an open directory (its times stay: the marker is no change of its user's).</summary>
    public static int MarkOpaque(int dirFd, ReadOnlySpan<byte> name)
    {
        var rc = Host.Open(dirFd, name, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW, 0, out var dir);
        if (rc != 0)
            return rc;
        try
        {
            rc = Host.StatFd(dir, out var st);
            if (rc != 0)
                return rc;
            rc = Host.Open(dir, Marker, Libc.O_CREAT | Libc.O_WRONLY, 0b110_000_000, out var fd);
            if (rc != 0)
                return rc;
            Host.Close(fd);
            return Host.SetTimes(Libc.AT_FDCWD, Host.ProcPath(dir).AsSpan()[..^1], Host.Time(st.AtimeSec, st.AtimeNsec), Host.Time(st.MtimeSec, st.MtimeNsec), 0);
        }
        finally
        {
            Host.Close(dir);
        }
    }

    private int Prepare(TreeContext tree, byte[] name, out Probe probe)
    {
        probe = default;
        var rc = CheckNewName(name);
        if (rc != 0)
            return rc;
        rc = Probe(tree, name, out probe);
        if (rc != 0)
            return rc;
        return probe.Exists ? Errno.EEXIST : 0;
    }

    private ViewNode NewNode(byte[] name, in Statx st)
    {
        var identity = ViewState.UpperIdentity(st.Ino);
        if ((st.Mode & Host.S_IFMT) == Host.S_IFDIR)
            return View.Register(new ViewDirNode(View, identity, this, name, [], null));
        return View.Register(new ViewFileNode(View, identity, st.Mode & Host.S_IFMT, this, name, null));
    }

    public int Create(TreeContext tree, Caller caller, byte[] name, uint mode, out ViewFileNode? node, out FuseAttr attr, out ViewHandle? handle)
    {
        node = null;
        attr = default;
        handle = null;
        using (View.Enter())
        {
            var rc = Prepare(tree, name, out var probe);
            if (rc != 0)
                return rc;
            var created = -1;
            rc = MakeEntry(tree, name, probe, caller, Host.S_IFREG | (mode & 0xFFF), (dir, n) =>
            {
                var r = Host.Open(dir, n, Libc.O_CREAT | Libc.O_EXCL | Libc.O_RDWR, 0b110_000_000, out var fd);
                created = fd;
                return r;
            }, out var st);
            if (rc != 0)
            {
                if (created >= 0)
                    Host.Close(created);
                return rc;
            }
            node = (ViewFileNode)NewNode(name, st);
            attr = View.AttrOf(st, node.Identity);
            handle = new ViewHandle(node, new Microsoft.Win32.SafeHandles.SafeFileHandle(created, ownsHandle: true), onObject: false, writable: true);
            return 0;
        }
    }

    public int MkDir(TreeContext tree, Caller caller, byte[] name, uint mode, out ViewNode? node, out FuseAttr attr)
    {
        node = null;
        attr = default;
        using (View.Enter())
        {
            var rc = Prepare(tree, name, out var probe);
            if (rc != 0)
                return rc;
            rc = MakeEntry(tree, name, probe, caller, Host.S_IFDIR | (mode & 0xFFF), (dir, n) => Host.MkDir(dir, n, 0b111_000_000), out var st);
            if (rc != 0)
                return rc;
            node = NewNode(name, st);
            attr = View.AttrOf(st, node.Identity);
            return 0;
        }
    }

    public int MkNod(TreeContext tree, Caller caller, byte[] name, uint mode, uint rdev, out ViewNode? node, out FuseAttr attr)
    {
        node = null;
        attr = default;
        var type = mode & Host.S_IFMT;
        // A 0:0 character device is how upper/ records a whiteout.
        if (type == Host.S_IFCHR && rdev == 0)
            return Errno.EPERM;
        using (View.Enter())
        {
            var rc = Prepare(tree, name, out var probe);
            if (rc != 0)
                return rc;
            var device = Host.DeviceFromFuse(rdev);
            rc = MakeEntry(tree, name, probe, caller, mode, (dir, n) => Host.MkNod(dir, n, type | 0b110_000_000, device), out var st);
            if (rc != 0)
                return rc;
            node = NewNode(name, st);
            attr = View.AttrOf(st, node.Identity);
            return 0;
        }
    }

    public int Symlink(TreeContext tree, Caller caller, byte[] name, byte[] target, out ViewNode? node, out FuseAttr attr)
    {
        node = null;
        attr = default;
        using (View.Enter())
        {
            var rc = Prepare(tree, name, out var probe);
            if (rc != 0)
                return rc;
            rc = MakeEntry(tree, name, probe, caller, Host.S_IFLNK | 0b111_111_111, (dir, n) => Host.Symlink(target, dir, n), out var st);
            if (rc != 0)
                return rc;
            node = NewNode(name, st);
            attr = View.AttrOf(st, node.Identity);
            return 0;
        }
    }

    /// <summary>A new name for a file: an image file is copied up first (metadata only), so that both names are one inode.</summary>
    public int Link(TreeContext tree, ViewFileNode file, byte[] name, out FuseAttr attr)
    {
        attr = default;
        using (View.Enter())
        {
            var rc = Prepare(tree, name, out var probe);
            if (rc != 0)
                return rc;
            if (file.Unlinked)
                return Errno.ENOENT;
            rc = View.CopyUp(tree, file, withData: false);
            if (rc != 0)
                return rc;
            rc = View.EnsureUpper(tree, this);
            if (rc != 0)
                return rc;
            rc = file.StatUpper(out var before);
            if (rc != 0)
                return rc;
            if (before.Nlink == 0)
                return Errno.ENOENT;
            var fd = View.DirFd(this);
            Func<int, byte[], int> make = file.Detached is not null || file.Parent is null
                ? (dir, n) => file.OpenUpper(Libc.O_PATH, out var p) is var r && r != 0 ? r : LinkFromFd(p, dir, n)
                : (dir, n) => Host.Link(View.DirFd(file.Parent), file.Name, dir, n);
            if (!probe.Whiteout)
            {
                rc = make(fd, name);
            }
            else
            {
                var temp = View.TempName();
                rc = make(View.WorkFd, temp);
                if (rc == 0)
                    rc = Host.Rename(View.WorkFd, temp, fd, name);
                if (rc != 0)
                    Host.Unlink(View.WorkFd, temp);
            }
            if (rc != 0)
                return rc;
            View.Touched(this);
            if (file.Detached is not null)
                file.Attach(this, name);
            return file.GetAttrLocked(tree, out attr);
        }
    }

    private static int LinkFromFd(int pathFd, int dir, byte[] name)
    {
        var rc = Host.Link(Libc.AT_FDCWD, Host.ProcPath(pathFd).AsSpan()[..^1], dir, name, Libc.AT_SYMLINK_FOLLOW);
        Host.Close(pathFd);
        return rc;
    }
}
