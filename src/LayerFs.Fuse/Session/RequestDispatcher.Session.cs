using LayerFs.Fuse.Protocol;

namespace LayerFs.Fuse.Session;

/// <summary>Requests about the session or the whole filesystem: interrupt, destroy, statfs, access.</summary>
internal sealed unsafe partial class RequestDispatcher
{
    /// <summary>How often to look for the interrupted request before concluding it has already finished.</summary>
    private const int InterruptSearchRounds = 50;

    /// <summary>
    /// INTERRUPT names a request another reader may be serving (or is about to begin serving: the
    /// kernel can queue the interrupt as soon as the request has been read). Cancel its token; if it
    /// cannot be found after a short search it has already been answered. No reply is sent: the
    /// interrupted request itself answers (EINTR if the filesystem gives up), and an EAGAIN reply would
    /// have to go out on the fd that read the original.
    /// </summary>
    private void DoInterrupt(ref Request req)
    {
        var target = req.In<InterruptIn>().Unique;
        var spin = default(SpinWait);
        for (var round = 0; round < InterruptSearchRounds; round++)
        {
            foreach (var w in Workers)
                if (w.Interrupt.TryInterrupt(target))
                    return;
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    private void DoDestroy(ref Request req)
    {
        destroy();
        ReplyOk(ref req, 0);
    }

    private void DoStatFs(ref Request req)
    {
        var ctx = req.Context;
        var rc = fs.StatFs(in ctx, req.NodeId, out var stat);
        if (rc != 0)
        {
            ReplyError(ref req, rc);
            return;
        }
        ref var wire = ref req.Out<StatFsOut>();
        wire = default;
        WireConvert.ToWire(stat, ref wire.St);
        ReplyOk(ref req, sizeof(StatFsOut));
    }

    private void DoAccess(ref Request req)
    {
        var ctx = req.Context;
        ReplyStatus(ref req, fs.Access(in ctx, req.NodeId, (int)req.In<AccessIn>().Mask));
    }
}
