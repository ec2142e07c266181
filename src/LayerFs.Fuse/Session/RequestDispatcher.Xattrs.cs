using LayerFs.Fuse.Protocol;

namespace LayerFs.Fuse.Session;

/// <summary>Extended attributes. GETXATTR/LISTXATTR with size 0 ask only for the size.</summary>
internal sealed unsafe partial class RequestDispatcher
{
    private void DoSetXattr(ref Request req)
    {
        // Without FUSE_SETXATTR_EXT (not negotiated) the kernel sends the 8-byte compat struct.
        var input = req.In<SetXattrIn>();
        if (!req.TryName(SetXattrIn.CompatSize, out var name, out var next))
        {
            SendError(ref req, Errno.EINVAL);
            return;
        }
        var value = req.Tail(next);
        if (value.Length < input.Size)
        {
            SendError(ref req, Errno.EINVAL);
            return;
        }
        var ctx = req.Context;
        ReplyStatus(ref req, fs.SetXattr(in ctx, req.NodeId, name, value[..(int)input.Size], (int)input.Flags));
    }

    private void DoGetXattr(ref Request req)
    {
        var size = req.In<GetXattrIn>().Size;
        if (!req.TryName(sizeof(GetXattrIn), out var name, out _))
        {
            SendError(ref req, Errno.EINVAL);
            return;
        }
        var ctx = req.Context;
        var buffer = XattrBuffer(ref req, size);
        var rc = fs.GetXattr(in ctx, req.NodeId, name, buffer, out var valueSize);
        ReplySized(ref req, rc, size, buffer.Length, valueSize);
    }

    private void DoListXattr(ref Request req)
    {
        var size = req.In<GetXattrIn>().Size;
        var ctx = req.Context;
        var buffer = XattrBuffer(ref req, size);
        var rc = fs.ListXattr(in ctx, req.NodeId, buffer, out var listSize);
        ReplySized(ref req, rc, size, buffer.Length, listSize);
    }

    private void DoRemoveXattr(ref Request req)
    {
        if (!req.TryName(0, out var name, out _))
        {
            SendError(ref req, Errno.EINVAL);
            return;
        }
        var ctx = req.Context;
        ReplyStatus(ref req, fs.RemoveXattr(in ctx, req.NodeId, name));
    }

    /// <summary>Empty for a size query; otherwise the caller's size, within the reply buffer.</summary>
    private static Span<byte> XattrBuffer(ref Request req, uint size) =>
        size == 0 ? default : new Span<byte>(req.Worker.ReplyPayload, (int)Math.Min(size, (uint)req.Worker.ReplyPayloadCapacity));

    private void ReplySized(ref Request req, int rc, uint requested, int bufferLength, int actual)
    {
        if (rc != 0)
        {
            ReplyError(ref req, rc);
            return;
        }
        if (requested == 0)
        {
            req.Out<GetXattrOut>() = new GetXattrOut { Size = (uint)Math.Max(actual, 0) };
            ReplyOk(ref req, sizeof(GetXattrOut));
            return;
        }
        if (actual > bufferLength)
        {
            SendError(ref req, Errno.ERANGE);
            return;
        }
        ReplyOk(ref req, Math.Max(actual, 0));
    }
}
