using System.Runtime.InteropServices;
using LayerFs.Fuse.Interop;
using LayerFs.Fuse.Protocol;

namespace LayerFs.Fuse.Session;

/// <summary>
/// One reader thread's state: its /dev/fuse fd (a FUSE_DEV_IOC_CLONE of the session fd, or the
/// session fd itself for the first), a request buffer and a reply buffer allocated once, page-aligned
/// and never moved (native memory, so spans over them need no pinning), and its reusable
/// directory writer and interrupt slot. Nothing here is shared with other threads except the slot.
/// </summary>
internal sealed unsafe class FuseWorker : IDisposable
{
    private const int Alignment = 4096;

    public FuseWorker(int index, FuseDeviceHandle device, int requestCapacity, int replyCapacity)
    {
        Index = index;
        Device = device;
        RequestCapacity = requestCapacity;
        ReplyCapacity = replyCapacity;
        RequestBuffer = (byte*)NativeMemory.AlignedAlloc((nuint)requestCapacity, Alignment);
        ReplyBuffer = (byte*)NativeMemory.AlignedAlloc((nuint)replyCapacity, Alignment);
        ownReplyBuffer = ReplyBuffer;
    }

    public int Index { get; }

    public FuseDeviceHandle Device { get; }

    public byte* RequestBuffer { get; private set; }

    public int RequestCapacity { get; }

    /// <summary>Reply header plus payload; the payload starts at ReplyBuffer + sizeof(OutHeader).</summary>
    public byte* ReplyBuffer { get; private set; }

    public int ReplyCapacity { get; }

    /// <summary>
    /// Set while the worker serves a request that came through an io_uring entry: replies then go to
    /// that entry (its payload buffer is the reply buffer, so the payload is never copied).
    /// </summary>
    private IRingReply? ring;
    private byte* ownReplyBuffer;

    public int ReplyPayloadCapacity => ReplyCapacity - sizeof(OutHeader);

    public byte* ReplyPayload => ReplyBuffer + sizeof(OutHeader);

    public InterruptSlot Interrupt { get; } = new();

    public DirectoryReplyWriter? Directory { get; set; }

    public Thread? Thread { get; set; }

    /// <summary>Reads one request; the byte count, or -errno.</summary>
    public int ReadRequest()
    {
        var n = Libc.Read(Device, RequestBuffer, (nuint)RequestCapacity);
        return n >= 0 ? (int)n : -Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// Sends a reply of header + payloadLength bytes from the reply buffer in one writev.
    /// Returns 0 or the errno of the write: ENOENT means the kernel no longer waits for this
    /// request (interrupted or aborted), ENODEV that the connection is gone.
    /// </summary>
    public int SendReply(ulong unique, int error, int payloadLength)
    {
        var header = (OutHeader*)ReplyBuffer;
        header->Len = (uint)(sizeof(OutHeader) + payloadLength);
        header->Error = -error;
        header->Unique = unique;
        if (ring is not null)
            return ring.Commit(header, payloadLength);
        var iov = new IoVec(ReplyBuffer, header->Len);
        return Libc.Writev(Device, &iov, 1) >= 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// Serves the next request from a ring entry: replies are committed through it and written to
    /// replyBuffer (the entry's payload minus room for the fuse_out_header, ReplyCapacity bytes).
    /// </summary>
    public void BeginRingRequest(IRingReply target, byte* replyBuffer)
    {
        ring = target;
        ReplyBuffer = replyBuffer;
    }

    public void EndRingRequest()
    {
        ring = null;
        ReplyBuffer = ownReplyBuffer;
    }

    /// <summary>Frees the buffers; only after the thread that reads into them has ended.</summary>
    public void Dispose()
    {
        Interrupt.Dispose();
        if (RequestBuffer != null)
        {
            NativeMemory.AlignedFree(RequestBuffer);
            RequestBuffer = null;
        }
        if (ownReplyBuffer != null)
        {
            NativeMemory.AlignedFree(ownReplyBuffer);
            ownReplyBuffer = null;
            ReplyBuffer = null;
        }
    }
}
