using LayerFs.Fuse.Protocol;

namespace LayerFs.Fuse.Session;

/// <summary>Name and inode operations: everything that creates, finds, changes or removes a node.</summary>
internal sealed unsafe partial class RequestDispatcher
{
    private void DoLookup(ref Request req)
    {
        if (!req.TryName(0, out var name, out _))
        {
            SendError(ref req, Errno.EINVAL);
            return;
        }
        var ctx = req.Context;
        var rc = fs.Lookup(in ctx, req.NodeId, name, out var entry);
        ReplyEntry(ref req, rc, in entry);
    }

    private void DoForget(ref Request req) => fs.Forget(req.NodeId, req.In<ForgetIn>().Nlookup);

    private void DoBatchForget(ref Request req)
    {
        var count = req.In<BatchForgetIn>().Count;
        // Trust the bytes, not the count: never read past what the kernel sent.
        var available = (uint)((req.BodyLength - sizeof(BatchForgetIn)) / sizeof(ForgetOne));
        if (count > available)
        {
            log.Warning("fuse: BATCH_FORGET says {Count} entries but carries {Available}", count, available);
            count = available;
        }
        var items = (ForgetOne*)(req.Body + sizeof(BatchForgetIn));
        for (var i = 0; i < count; i++)
            fs.Forget(items[i].NodeId, items[i].Nlookup);
    }

    private void DoGetAttr(ref Request req)
    {
        ref var input = ref req.In<GetAttrIn>();
        ulong? fh = (input.GetattrFlags & FuseGetAttrFlags.Fh) != 0 ? input.Fh : null;
        var ctx = req.Context;
        var rc = fs.GetAttr(in ctx, req.NodeId, fh, out var attr, out var timeout);
        ReplyAttr(ref req, rc, in attr, timeout);
    }

    private void DoSetAttr(ref Request req)
    {
        var changes = WireConvert.FromWire(in req.In<SetAttrIn>());
        var ctx = req.Context;
        var rc = fs.SetAttr(in ctx, req.NodeId, in changes, out var attr, out var timeout);
        ReplyAttr(ref req, rc, in attr, timeout);
    }

    private void DoReadLink(ref Request req)
    {
        var ctx = req.Context;
        var rc = fs.ReadLink(in ctx, req.NodeId, out var target);
        if (rc != 0)
        {
            ReplyError(ref req, rc);
            return;
        }
        if (target.Length > req.Worker.ReplyPayloadCapacity)
        {
            SendError(ref req, Errno.ENAMETOOLONG);
            return;
        }
        target.CopyTo(new Span<byte>(req.Worker.ReplyPayload, target.Length));
        ReplyOk(ref req, target.Length);
    }

    private void DoSymlink(ref Request req)
    {
        // SYMLINK carries the new entry's name, then the link target.
        if (!req.TryName(0, out var name, out var next) || !req.TryName(next, out var target, out _))
        {
            SendError(ref req, Errno.EINVAL);
            return;
        }
        var ctx = req.Context;
        var rc = fs.Symlink(in ctx, req.NodeId, name, target, out var entry);
        ReplyEntry(ref req, rc, in entry);
    }

    private void DoMkNod(ref Request req)
    {
        var input = req.In<MkNodIn>();
        if (!req.TryName(sizeof(MkNodIn), out var name, out _))
        {
            SendError(ref req, Errno.EINVAL);
            return;
        }
        var ctx = req.Context;
        var rc = fs.MkNod(in ctx, req.NodeId, name, input.Mode, input.Rdev, input.Umask, out var entry);
        ReplyEntry(ref req, rc, in entry);
    }

    private void DoMkDir(ref Request req)
    {
        var input = req.In<MkDirIn>();
        if (!req.TryName(sizeof(MkDirIn), out var name, out _))
        {
            SendError(ref req, Errno.EINVAL);
            return;
        }
        var ctx = req.Context;
        var rc = fs.MkDir(in ctx, req.NodeId, name, input.Mode, input.Umask, out var entry);
        ReplyEntry(ref req, rc, in entry);
    }

    private void DoUnlink(ref Request req)
    {
        if (!req.TryName(0, out var name, out _))
        {
            SendError(ref req, Errno.EINVAL);
            return;
        }
        var ctx = req.Context;
        ReplyStatus(ref req, fs.Unlink(in ctx, req.NodeId, name));
    }

    private void DoRmDir(ref Request req)
    {
        if (!req.TryName(0, out var name, out _))
        {
            SendError(ref req, Errno.EINVAL);
            return;
        }
        var ctx = req.Context;
        ReplyStatus(ref req, fs.RmDir(in ctx, req.NodeId, name));
    }

    private void DoRename(ref Request req) =>
        Rename(ref req, req.In<RenameIn>().NewDir, FuseRenameFlags.None, sizeof(RenameIn));

    private void DoRename2(ref Request req)
    {
        var input = req.In<Rename2In>();
        Rename(ref req, input.NewDir, (FuseRenameFlags)input.Flags, sizeof(Rename2In));
    }

    private void Rename(ref Request req, ulong newDir, FuseRenameFlags flags, int namesAt)
    {
        if (!req.TryName(namesAt, out var oldName, out var next) || !req.TryName(next, out var newName, out _))
        {
            SendError(ref req, Errno.EINVAL);
            return;
        }
        var ctx = req.Context;
        ReplyStatus(ref req, fs.Rename(in ctx, req.NodeId, oldName, newDir, newName, flags));
    }

    private void DoLink(ref Request req)
    {
        // The header names the new parent; the body the node to link and the new name.
        var oldNode = req.In<LinkIn>().OldNodeId;
        if (!req.TryName(sizeof(LinkIn), out var newName, out _))
        {
            SendError(ref req, Errno.EINVAL);
            return;
        }
        var ctx = req.Context;
        var rc = fs.Link(in ctx, oldNode, req.NodeId, newName, out var entry);
        ReplyEntry(ref req, rc, in entry);
    }

    /// <summary>
    /// Replies with an entry. If the kernel no longer waits for it (interrupted), the lookup it would
    /// have counted is given back at once, as libfuse does.
    /// </summary>
    private void ReplyEntry(ref Request req, int rc, in FuseEntry entry)
    {
        if (rc != 0)
        {
            ReplyError(ref req, rc);
            return;
        }
        WireConvert.ToWire(entry, ref req.Out<EntryOut>());
        if (ReplyOk(ref req, sizeof(EntryOut)) == Errno.ENOENT && entry.NodeId != 0)
            fs.Forget(entry.NodeId, 1);
    }

    private void ReplyAttr(ref Request req, int rc, in FuseAttr attr, TimeSpan timeout)
    {
        if (rc != 0)
        {
            ReplyError(ref req, rc);
            return;
        }
        WireConvert.ToWire(attr, timeout, ref req.Out<AttrOut>());
        ReplyOk(ref req, sizeof(AttrOut));
    }

    private void ReplyStatus(ref Request req, int rc)
    {
        if (rc != 0)
            ReplyError(ref req, rc);
        else
            ReplyOk(ref req, 0);
    }
}
