using LayerFs.Fuse.Protocol;

namespace LayerFs.Fuse.Session;

/// <summary>Directory handles and listings.</summary>
internal sealed unsafe partial class RequestDispatcher
{
    private void DoOpenDir(ref Request req)
    {
        var open = FuseOpenOut.Create();
        var ctx = req.Context;
        var flags = (int)req.In<OpenIn>().Flags;
        var rc = fs.OpenDir(in ctx, req.NodeId, flags, ref open);
        if (rc != 0)
        {
            ReplyError(ref req, rc);
            return;
        }
        req.Out<OpenOut>() = new OpenOut { Fh = open.Fh, OpenFlags = (uint)(open.Flags & ~FuseOpenFlags.Passthrough) };
        if (ReplyOk(ref req, sizeof(OpenOut)) == Errno.ENOENT)
            fs.ReleaseDir(in ctx, req.NodeId, open.Fh);
    }

    private void DoReadDir(ref Request req, bool plus)
    {
        ref var input = ref req.In<ReadIn>();
        var writer = req.Worker.Directory ??= new DirectoryReplyWriter();
        writer.Reset(req.Worker.ReplyPayload, (int)Math.Min(input.Size, (uint)req.Worker.ReplyPayloadCapacity), plus);
        var ctx = req.Context;
        int rc;
        if (plus && !support.IsUnsupported((uint)FuseOpcode.ReadDirPlus))
        {
            rc = fs.ReadDirPlus(in ctx, req.NodeId, input.Fh, (long)input.Offset, writer);
            if (rc == Errno.ENOSYS)
            {
                support.MarkUnsupported((uint)FuseOpcode.ReadDirPlus);
                rc = fs.ReadDir(in ctx, req.NodeId, input.Fh, (long)input.Offset, writer);
            }
        }
        else
        {
            // A READDIRPLUS the filesystem cannot answer is answered from ReadDir, as plus
            // entries without node ids.
            rc = fs.ReadDir(in ctx, req.NodeId, input.Fh, (long)input.Offset, writer);
        }
        if (writer.InvalidNames > 0 && Interlocked.Increment(ref invalidNameWarnings) <= 10)
            log.Warning("fuse: directory i{Node} listed {Count} name(s) the kernel cannot take (empty, too long, or with '/' or NUL); left out", req.NodeId, writer.InvalidNames);
        if (rc != 0)
        {
            writer.Complete(replyDelivered: false, fs);
            ReplyError(ref req, rc);
            return;
        }
        var sent = ReplyOk(ref req, writer.Length);
        writer.Complete(replyDelivered: sent == 0, fs);
    }

    private void DoReleaseDir(ref Request req)
    {
        var ctx = req.Context;
        ReplyStatus(ref req, fs.ReleaseDir(in ctx, req.NodeId, req.In<ReleaseIn>().Fh));
    }

    private void DoFsyncDir(ref Request req)
    {
        ref var input = ref req.In<FsyncIn>();
        var ctx = req.Context;
        ReplyStatus(ref req, fs.FsyncDir(in ctx, req.NodeId, input.Fh, (input.FsyncFlags & FuseFsyncFlags.FdataSync) != 0));
    }
}
