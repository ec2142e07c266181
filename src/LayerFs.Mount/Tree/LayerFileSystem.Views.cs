using LayerFs.Fuse;
using LayerFs.Mount.Views;

namespace LayerFs.Mount.Tree;

/// <summary>
/// The operations that change the tree: they reach the nodes of a view's rootfs (see
/// <see cref="ViewDirNode"/>, <see cref="ViewFileNode"/>); everywhere else the tree is read-only
/// and they answer EROFS (not ENOSYS, so that programs say why).
/// </summary>
public sealed partial class LayerFileSystem
{
    private int OpenView(ViewFileNode file, int flags, ref FuseOpenOut open)
    {
        ViewHandle? handle = null;
        var status = Guard("open", file.NodeId, () => file.Open(_tree, flags, out handle));
        if (status != 0)
            return status;
        RegisterHandle(handle!, ref open);
        return 0;
    }

    /// <summary>A view file's handle: page cache as usual (never direct_io, for mmap), passthrough of its fd where allowed.</summary>
    private void RegisterHandle(ViewHandle handle, ref FuseOpenOut open)
    {
        var fh = (ulong)Interlocked.Increment(ref _nextHandle);
        _files[fh] = handle;
        open.Fh = fh;
        open.Flags = FuseOpenFlags.None;
        if (_options.Passthrough)
            open.PassthroughFd = handle.PassthroughFd;
    }

    /// <summary>Runs a change on a view node of the given kind; EROFS anywhere else.</summary>
    private int Change<T>(string operation, ulong nodeId, Func<T, int> body) where T : Node =>
        Guard(operation, nodeId, () => _tree.Nodes.Get(nodeId) switch
        {
            T node => body(node),
            null => MoreErrno.ESTALE,
            ViewNode => Errno.ENOTDIR,
            _ => Errno.EROFS,
        });

    private FuseEntry Entry(ViewNode node, in FuseAttr attr) => node.EntryOf(attr, _tree.Nodes);

    private int SetViewAttr(ulong nodeId, in FuseSetAttr changes, uint callerPid, out FuseAttr attr)
    {
        FuseAttr result = default;
        var copy = changes;
        ViewHandle? handle = changes.Valid.HasFlag(FuseSetAttrValid.Fh) && _files.TryGetValue(changes.Fh, out var f) ? f as ViewHandle : null;
        var status = Guard("setattr", nodeId, () => _tree.Nodes.Get(nodeId) switch
        {
            ViewFileNode file => file.SetAttr(_tree, copy, handle, callerPid, out result),
            ViewDirNode dir => dir.SetAttr(_tree, copy, out result),
            null => MoreErrno.ESTALE,
            _ => Errno.EROFS,
        });
        attr = result;
        return status;
    }

    public override int SetAttr(in FuseRequestContext ctx, ulong nodeId, in FuseSetAttr changes, out FuseAttr attr, out TimeSpan attrTimeout)
    {
        attrTimeout = ViewState.Timeout;
        return SetViewAttr(nodeId, changes, ctx.Pid, out attr);
    }

    public override int Symlink(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out FuseEntry entry)
    {
        FuseEntry result = default;
        var caller = new ViewDirNode.Caller(ctx.Uid, ctx.Gid);
        var n = name.ToArray();
        var t = target.ToArray();
        var status = Change<ViewDirNode>("symlink", parent, dir =>
        {
            var rc = dir.Symlink(_tree, caller, n, t, out var node, out var attr);
            if (rc == 0)
                result = Entry(node!, attr);
            return rc;
        });
        entry = result;
        return status;
    }

    public override int MkNod(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, uint mode, uint rdev, uint umask, out FuseEntry entry)
    {
        FuseEntry result = default;
        var caller = new ViewDirNode.Caller(ctx.Uid, ctx.Gid);
        var n = name.ToArray();
        var status = Change<ViewDirNode>("mknod", parent, dir =>
        {
            var rc = dir.MkNod(_tree, caller, n, mode, rdev, out var node, out var attr);
            if (rc == 0)
                result = Entry(node!, attr);
            return rc;
        });
        entry = result;
        return status;
    }

    public override int MkDir(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, uint mode, uint umask, out FuseEntry entry)
    {
        FuseEntry result = default;
        var caller = new ViewDirNode.Caller(ctx.Uid, ctx.Gid);
        var n = name.ToArray();
        var status = Change<ViewDirNode>("mkdir", parent, dir =>
        {
            var rc = dir.MkDir(_tree, caller, n, mode, out var node, out var attr);
            if (rc == 0)
                result = Entry(node!, attr);
            return rc;
        });
        entry = result;
        return status;
    }

    public override int Create(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, uint mode, uint umask, int flags, out FuseEntry entry, ref FuseOpenOut open)
    {
        FuseEntry result = default;
        ViewHandle? handle = null;
        var caller = new ViewDirNode.Caller(ctx.Uid, ctx.Gid);
        var n = name.ToArray();
        var status = Change<ViewDirNode>("create", parent, dir =>
        {
            var rc = dir.Create(_tree, caller, n, mode, out var node, out var attr, out handle);
            if (rc == 0)
                result = Entry(node!, attr);
            return rc;
        });
        entry = result;
        if (status == 0)
            RegisterHandle(handle!, ref open);
        return status;
    }

    public override int Unlink(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name)
    {
        var n = name.ToArray();
        return Change<ViewDirNode>("unlink", parent, dir => dir.Unlink(_tree, n));
    }

    public override int RmDir(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name)
    {
        var n = name.ToArray();
        return Change<ViewDirNode>("rmdir", parent, dir => dir.RmDir(_tree, n));
    }

    public override int Rename(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, FuseRenameFlags flags)
    {
        var n = name.ToArray();
        var nn = newName.ToArray();
        return Change<ViewDirNode>("rename", parent, dir => _tree.Nodes.Get(newParent) switch
        {
            ViewDirNode target when ReferenceEquals(target.View, dir.View) => dir.Rename(_tree, n, target, nn, flags),
            ViewDirNode => Errno.EXDEV,
            null => MoreErrno.ESTALE,
            _ => Errno.EXDEV,
        });
    }

    public override int Link(in FuseRequestContext ctx, ulong nodeId, ulong newParent, ReadOnlySpan<byte> newName, out FuseEntry entry)
    {
        FuseEntry result = default;
        var nn = newName.ToArray();
        var status = Change<ViewDirNode>("link", newParent, dir => _tree.Nodes.Get(nodeId) switch
        {
            ViewFileNode file when ReferenceEquals(file.View, dir.View) => LinkInto(dir, file, nn, ref result),
            ViewDirNode => Errno.EPERM,
            null => MoreErrno.ESTALE,
            _ => Errno.EXDEV,
        });
        entry = result;
        return status;
    }

    private int LinkInto(ViewDirNode dir, ViewFileNode file, byte[] name, ref FuseEntry result)
    {
        var rc = dir.Link(_tree, file, name, out var attr);
        if (rc == 0)
            result = Entry(file, attr);
        return rc;
    }

    public override int Write(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, ReadOnlySpan<byte> data, uint writeFlags, out int bytesWritten)
    {
        bytesWritten = 0;
        if (!_files.TryGetValue(fh, out var file))
            return Errno.EBADF;
        if (file is not ViewHandle handle)
            return Errno.EROFS;
        if ((writeFlags & FuseWriteFlags.KillSuidGid) != 0)
        {
            var rc = Guard("write", nodeId, () =>
            {
                using (handle.Node.View.Enter())
                    return handle.Node.KillPrivileges(setIdBits: true, capability: false);
            });
            if (rc != 0)
                return rc;
        }
        return handle.Write(offset, data, out bytesWritten);
    }

    public override int Fsync(in FuseRequestContext ctx, ulong nodeId, ulong fh, bool dataOnly)
    {
        if (!_files.TryGetValue(fh, out var file))
            return Errno.EBADF;
        return file is ViewHandle handle ? Guard("fsync", nodeId, () => handle.Fsync(dataOnly)) : 0;
    }

    public override int FsyncDir(in FuseRequestContext ctx, ulong nodeId, ulong fh, bool dataOnly) =>
        Guard("fsyncdir", nodeId, () => _tree.Nodes.Get(nodeId) is ViewDirNode dir ? dir.Fsync() : 0);

    public override int Fallocate(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, long length, int mode)
    {
        if (!_files.TryGetValue(fh, out var file))
            return Errno.EBADF;
        return file is ViewHandle handle ? handle.Fallocate(offset, length, mode) : Errno.EROFS;
    }

    public override int SetXattr(in FuseRequestContext ctx, ulong nodeId, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags)
    {
        var n = name.ToArray();
        var v = value.ToArray();
        return Guard("setxattr", nodeId, () => _tree.Nodes.Get(nodeId) switch
        {
            ViewFileNode file => file.SetXattr(_tree, n, v, flags),
            ViewDirNode dir => dir.SetXattr(_tree, n, v, flags),
            null => MoreErrno.ESTALE,
            _ => Errno.EROFS,
        });
    }

    public override int RemoveXattr(in FuseRequestContext ctx, ulong nodeId, ReadOnlySpan<byte> name)
    {
        var n = name.ToArray();
        return Guard("removexattr", nodeId, () => _tree.Nodes.Get(nodeId) switch
        {
            ViewFileNode file => file.RemoveXattr(_tree, n),
            ViewDirNode dir => dir.RemoveXattr(_tree, n),
            null => MoreErrno.ESTALE,
            _ => Errno.EROFS,
        });
    }
}
