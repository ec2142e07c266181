using LayerFs.Fuse.Protocol;

namespace LayerFs.Fuse.Session;

/// <summary>Open files: open/create (with passthrough), read, write, flush, release, fsync, fallocate, lseek.</summary>
internal sealed unsafe partial class RequestDispatcher
{
    private void DoOpen(ref Request req)
    {
        var flags = (int)req.In<OpenIn>().Flags;
        var open = FuseOpenOut.Create();
        var ctx = req.Context;
        var rc = fs.Open(in ctx, req.NodeId, flags, ref open);
        if (rc != 0)
        {
            ReplyError(ref req, rc);
            return;
        }
        ref var wire = ref req.Out<OpenOut>();
        var passthrough = FillOpenOut(req.NodeId, in open, ref wire);
        if (ReplyOk(ref req, sizeof(OpenOut)) == Errno.ENOENT)
        {
            // The open was interrupted: no RELEASE will ever come for this handle, so release it now.
            if (passthrough)
                backing.Release(req.NodeId, open.Fh);
            fs.Release(in ctx, req.NodeId, open.Fh, flags);
        }
    }

    private void DoCreate(ref Request req)
    {
        var input = req.In<CreateIn>();
        if (!req.TryName(sizeof(CreateIn), out var name, out _))
        {
            SendError(ref req, Errno.EINVAL);
            return;
        }
        var open = FuseOpenOut.Create();
        var ctx = req.Context;
        var rc = fs.Create(in ctx, req.NodeId, name, input.Mode, input.Umask, (int)input.Flags, out var entry, ref open);
        if (rc != 0)
        {
            ReplyError(ref req, rc);
            return;
        }
        // CREATE answers an entry followed by an open.
        var payload = req.Worker.ReplyPayload;
        WireConvert.ToWire(entry, ref *(EntryOut*)payload);
        var passthrough = FillOpenOut(entry.NodeId, in open, ref *(OpenOut*)(payload + sizeof(EntryOut)));
        if (ReplyOk(ref req, sizeof(EntryOut) + sizeof(OpenOut)) == Errno.ENOENT)
        {
            if (passthrough)
                backing.Release(entry.NodeId, open.Fh);
            fs.Release(in ctx, entry.NodeId, open.Fh, (int)input.Flags);
            if (entry.NodeId != 0)
                fs.Forget(entry.NodeId, 1);
        }
    }

    /// <summary>
    /// Writes fuse_open_out. When the filesystem offers a backing fd and the registry gets a backing id
    /// for the node, the handle becomes a passthrough handle: FOPEN_PASSTHROUGH plus the id, and only
    /// the open flags the kernel allows with it (no KEEP_CACHE: the page cache is the backing file's).
    /// </summary>
    private bool FillOpenOut(ulong node, in FuseOpenOut open, ref OpenOut wire)
    {
        wire.Fh = open.Fh;
        wire.OpenFlags = (uint)(open.Flags & ~FuseOpenFlags.Passthrough);
        wire.BackingId = 0;
        if (open.PassthroughFd < 0 || !backing.TryAcquire(node, open.Fh, open.PassthroughFd, out var id))
            return false;
        wire.OpenFlags = (uint)((open.Flags & FuseOpenFlagMasks.PassthroughCompatible) | FuseOpenFlags.Passthrough);
        wire.BackingId = id;
        return true;
    }

    private void DoRead(ref Request req)
    {
        ref var input = ref req.In<ReadIn>();
        var size = (int)Math.Min(input.Size, (uint)req.Worker.ReplyPayloadCapacity);
        var buffer = new Span<byte>(req.Worker.ReplyPayload, size);
        var ctx = req.Context;
        var rc = fs.Read(in ctx, req.NodeId, input.Fh, (long)input.Offset, buffer, out var bytesRead);
        if (rc != 0)
        {
            ReplyError(ref req, rc);
            return;
        }
        ReplyOk(ref req, Math.Clamp(bytesRead, 0, size));
    }

    private void DoWrite(ref Request req)
    {
        ref var input = ref req.In<WriteIn>();
        var data = req.Tail(sizeof(WriteIn));
        if (data.Length > input.Size)
            data = data[..(int)input.Size];
        var ctx = req.Context;
        var rc = fs.Write(in ctx, req.NodeId, input.Fh, (long)input.Offset, data, input.WriteFlags, out var written);
        if (rc != 0)
        {
            ReplyError(ref req, rc);
            return;
        }
        req.Out<WriteOut>() = new WriteOut { Size = (uint)Math.Clamp(written, 0, data.Length) };
        ReplyOk(ref req, sizeof(WriteOut));
    }

    private void DoFlush(ref Request req)
    {
        ref var input = ref req.In<FlushIn>();
        var ctx = req.Context;
        ReplyStatus(ref req, fs.Flush(in ctx, req.NodeId, input.Fh, input.LockOwner));
    }

    private void DoRelease(ref Request req)
    {
        ref var input = ref req.In<ReleaseIn>();
        var ctx = req.Context;
        var rc = fs.Release(in ctx, req.NodeId, input.Fh, (int)input.Flags);
        // After the filesystem let go of the handle: the kernel is already done with the file.
        backing.Release(req.NodeId, input.Fh);
        ReplyStatus(ref req, rc);
    }

    private void DoFsync(ref Request req)
    {
        ref var input = ref req.In<FsyncIn>();
        var ctx = req.Context;
        ReplyStatus(ref req, fs.Fsync(in ctx, req.NodeId, input.Fh, (input.FsyncFlags & FuseFsyncFlags.FdataSync) != 0));
    }

    private void DoFallocate(ref Request req)
    {
        ref var input = ref req.In<FallocateIn>();
        var ctx = req.Context;
        ReplyStatus(ref req, fs.Fallocate(in ctx, req.NodeId, input.Fh, (long)input.Offset, (long)input.Length, (int)input.Mode));
    }

    private void DoLseek(ref Request req)
    {
        ref var input = ref req.In<LseekIn>();
        var ctx = req.Context;
        var rc = fs.Lseek(in ctx, req.NodeId, input.Fh, (long)input.Offset, (int)input.Whence, out var result);
        if (rc != 0)
        {
            ReplyError(ref req, rc);
            return;
        }
        req.Out<LseekOut>() = new LseekOut { Offset = (ulong)result };
        ReplyOk(ref req, sizeof(LseekOut));
    }
}
