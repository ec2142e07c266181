using LayerFs.Fuse;
using LayerFs.Mount.Interop;
using LayerFs.Mount.Stack;
using LayerFs.Mount.Tree;
using LayerFs.Store.Model;
using Microsoft.Win32.SafeHandles;

namespace LayerFs.Mount.Views;

/// <summary>
/// A non-directory of a view: still the image's (<see cref="Lower"/>: reads go to its object), or
/// the view's own upper inode (made in the view or copied up; a metadata-only copy-up still reads
/// its object, as <see cref="UpperTable"/> says). State is guarded by the view's lock.
/// </summary>
internal sealed partial class ViewFileNode : ViewNode
{
    public ViewFileNode(ViewState view, long identity, uint type, ViewDirNode parent, byte[] name, LinkTarget? lower)
        : base(view, identity, type, parent, name)
    {
        Lower = lower;
    }

    /// <summary>The image entry shown while nothing was copied up; null once the node is the view's own.</summary>
    public LinkTarget? Lower { get; set; }

    public bool IsUpper => Lower is null;

    /// <summary>An image file unlinked while the kernel held it: it shows st_nlink 0 until forgotten.</summary>
    public bool Unlinked { get; set; }

    /// <summary>An O_PATH fd of the upper inode once its primary name is gone (unlinked while open, or another name of a hard link).</summary>
    public SafeFileHandle? Detached { get; private set; }

    /// <summary>Open handles reading the image's object (passthrough cannot mix them with handles on the upper file).</summary>
    public int ObjectOpens { get; set; }

    public override bool Shared => true;

    public void Attach(ViewDirNode parent, byte[] name)
    {
        Parent = parent;
        Name = name;
        Detached?.Dispose();
        Detached = null;
    }

    /// <summary>Keeps the upper inode reachable before its primary name goes away.</summary>
    public void Detach()
    {
        if (Detached is not null || !IsUpper)
            return;
        if (Parent is null || View.DirFd(Parent) is var dir && dir < 0)
            return;
        if (Host.Open(dir, Name, Libc.O_PATH | Libc.O_NOFOLLOW, 0, out var fd) == 0)
            Detached = new SafeFileHandle(fd, ownsHandle: true);
    }

    private int DetachedFd => (int)Detached!.DangerousGetHandle();

    public int StatUpper(out Statx st)
    {
        if (Detached is not null)
            return Host.StatFd(DetachedFd, out st);
        st = default;
        var dir = View.DirFd(Parent!);
        return dir < 0 ? Errno.ENOENT : Host.Stat(dir, Name, out st);
    }

    public int OpenUpper(int flags, out int fd)
    {
        fd = -1;
        if (Detached is not null)
            return Host.Open(Libc.AT_FDCWD, Host.ProcPath(DetachedFd).AsSpan()[..^1], flags, 0, out fd);
        var dir = View.DirFd(Parent!);
        return dir < 0 ? Errno.ENOENT : Host.Open(dir, Name, flags | Libc.O_NOFOLLOW, 0, out fd);
    }

    public int ChownUpper(uint uid, uint gid)
    {
        if (Detached is not null)
            return Host.Chown(DetachedFd, ""u8, uid, gid, Libc.AT_EMPTY_PATH | Libc.AT_SYMLINK_NOFOLLOW);
        var dir = View.DirFd(Parent!);
        return dir < 0 ? Errno.ENOENT : Host.Chown(dir, Name, uid, gid);
    }

    public int ChmodUpper(uint mode)
    {
        if (Type == Attributes.Symlink)
            return Errno.EOPNOTSUPP;
        if (Detached is not null)
            return Host.Chmod(Libc.AT_FDCWD, Host.ProcPath(DetachedFd).AsSpan()[..^1], mode);
        var dir = View.DirFd(Parent!);
        return dir < 0 ? Errno.ENOENT : Host.Chmod(dir, Name, mode);
    }

    public int TimesUpper(Timespec atime, Timespec mtime)
    {
        if (Detached is not null)
            return Host.SetTimes(Libc.AT_FDCWD, Host.ProcPath(DetachedFd).AsSpan()[..^1], atime, mtime, 0);
        var dir = View.DirFd(Parent!);
        return dir < 0 ? Errno.ENOENT : Host.SetTimes(dir, Name, atime, mtime);
    }

    /// <summary>
    /// A path for the xattr calls, which take no directory fd, and whether they must follow it:
    /// an upper inode whose name is gone (unlinked while open) is reached through its O_PATH fd's
    /// /proc/self/fd link, which only the following calls see through.
    /// </summary>
    public (byte[] Path, bool Follow)? XattrPath()
    {
        if (Detached is not null)
            return (Host.ProcPath(DetachedFd), true);
        var dir = View.DirFd(Parent!);
        return dir < 0 ? null : (Host.ProcPath(dir, Name), false);
    }

    /// <summary>The table row of this upper inode (origin, metacopy object), if any.</summary>
    public UpperRow? Row(in Statx st) => View.Table.Find(st.Ino, Host.BirthNs(st));

    public override int GetAttr(TreeContext tree, out FuseAttr attr)
    {
        using (View.Enter())
            return GetAttrLocked(tree, out attr);
    }

    public int GetAttrLocked(TreeContext tree, out FuseAttr attr)
    {
        attr = default;
        if (Lower is { } lower)
        {
            var nlink = Unlinked ? 0u : (uint)(View.Stack is { } stack ? HardLinks.VisibleInStack(tree.Reader, stack, lower) : 1);
            attr = Attributes.FromEntry(lower.Attributes, Ino, nlink);
            return 0;
        }
        var rc = StatUpper(out var st);
        if (rc != 0)
            return rc;
        attr = View.AttrOf(st, Identity, Row(st));
        return 0;
    }

    public override int ReadLink(TreeContext tree, out byte[] target)
    {
        using (View.Enter())
        {
            target = [];
            if (Lower is { } lower)
            {
                if (lower.Attributes.Kind != EntryKind.Symlink || lower.Attributes.Link is null)
                    return Errno.EINVAL;
                target = lower.Attributes.Link;
                return 0;
            }
            if (Detached is not null)
                return Host.ReadLink(DetachedFd, ""u8, out target);
            var dir = View.DirFd(Parent!);
            return dir < 0 ? Errno.ENOENT : Host.ReadLink(dir, Name, out target);
        }
    }

    public override int GetXattr(TreeContext tree, string name, out byte[] value)
    {
        using (View.Enter())
        {
            value = [];
            if (Lower is { } lower)
                return EntryXattrs.Get(tree, lower.Attributes.Id, name, out value);
            return XattrPath() is (var path, var follow) ? Host.GetXattr(path, System.Text.Encoding.UTF8.GetBytes(name), out value, follow) : Errno.ENOENT;
        }
    }

    public override int ListXattr(TreeContext tree, out IReadOnlyList<string> names)
    {
        using (View.Enter())
        {
            names = [];
            if (Lower is { } lower)
                return EntryXattrs.List(tree, lower.Attributes.Id, out names);
            if (XattrPath() is not (var path, var follow))
                return Errno.ENOENT;
            var rc = Host.ListXattr(path, out var raw, follow);
            names = [.. raw.Select(n => System.Text.Encoding.UTF8.GetString(n))];
            return rc;
        }
    }
}
