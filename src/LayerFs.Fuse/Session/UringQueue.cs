using System.Runtime.InteropServices;
using LayerFs.Fuse.Interop;
using LayerFs.Fuse.Protocol;
using LayerFs.Fuse.Uring;
using Serilog;

namespace LayerFs.Fuse.Session;

/// <summary>
/// One queue of FUSE over io_uring: the kernel sends each request to the queue of the CPU its caller
/// runs on, and this queue's thread, pinned to that CPU, answers it there. A request and its reply
/// then cost one io_uring_enter and no wakeup across CPUs, where /dev/fuse costs a read, a writev and,
/// on a virtual machine above all, an inter-processor interrupt each way.
/// <para>
/// The thread owns the ring (SINGLE_ISSUER: the kernel copies requests into an entry's buffers from
/// the thread that submitted it). Its life: Prepare (ring, buffers, pinning) before the INIT reply,
/// so that a queue that cannot exist never gets FUSE_OVER_IO_URING promised; Go after the INIT reply
/// (REGISTER is refused with EAGAIN before it); then serve until every entry has been ended by the
/// kernel (ENOTCONN at unmount or abort).
/// </para>
/// </summary>
internal sealed unsafe class UringQueue : IRingReply, IDisposable
{
    /// <summary>Entries per queue: one thread serves them in turn, the others let requests wait in the ring.</summary>
    private const int Depth = 4;

    /// <summary>Room before each payload buffer: the entry's header, and the reply's fuse_out_header just before the payload.</summary>
    private const int HeaderRoom = 4096;

    private readonly int qid;
    private readonly FuseDeviceHandle device;
    private readonly ILogger log;
    private readonly int payloadCapacity;
    private readonly ManualResetEventSlim prepared = new(false);
    private readonly ManualResetEventSlim go = new(false);
    private readonly byte*[] blocks = new byte*[Depth];
    private readonly IoVec* iovecs;
    private RequestDispatcher? dispatcher;
    private IoUringRing? ring;
    private Exception? prepareError;
    private bool cancelled;
    private int current = -1;
    private bool committed;
    private int liveEntries;

    public UringQueue(int qid, FuseDeviceHandle device, FuseWorker worker, int replyCapacity, ILogger log)
    {
        this.qid = qid;
        this.device = device;
        this.log = log;
        Worker = worker;
        // The worker writes replies at entry payload - sizeof(OutHeader), up to replyCapacity bytes.
        payloadCapacity = replyCapacity - sizeof(OutHeader);
        iovecs = (IoVec*)NativeMemory.AllocZeroed((nuint)(Depth * 2 * sizeof(IoVec)));
    }

    public FuseWorker Worker { get; }

    /// <summary>Whether Go reached the thread: it registered its entries and counts as a live reader.</summary>
    public bool Served { get; private set; }

    /// <summary>Called on the queue's own thread first: sets up the ring and waits for Go or Cancel.</summary>
    public void Run(Action<UringQueue, bool> ended)
    {
        var clean = false;
        try
        {
            if (!Prepare())
                return;
            go.Wait();
            if (cancelled)
                return;
            Served = true;
            Register();
            clean = Serve();
        }
        catch (Exception ex)
        {
            log.Error(ex, "fuse: io_uring queue {Qid} failed", qid);
        }
        finally
        {
            prepared.Set(); // a Prepare that threw must not leave WaitPrepared waiting
            try
            {
                Release();
            }
            catch (Exception ex)
            {
                log.Error(ex, "fuse: io_uring queue {Qid}: releasing the ring", qid);
            }
            ended(this, clean);
        }
    }

    /// <summary>Waits until the thread has its ring or failed to make it; the failure, or null.</summary>
    public Exception? WaitPrepared(TimeSpan timeout)
    {
        if (!prepared.Wait(timeout))
            return new TimeoutException($"io_uring queue {qid} did not start");
        return prepareError ?? (ring is null ? new InvalidOperationException($"io_uring queue {qid} did not start") : null);
    }

    /// <summary>After the INIT reply promised the ring: register the entries and serve.</summary>
    public void Go(RequestDispatcher requestDispatcher)
    {
        dispatcher = requestDispatcher;
        go.Set();
    }

    /// <summary>The ring will not be used (INIT went out without it): end the thread.</summary>
    public void Cancel()
    {
        cancelled = true;
        go.Set();
    }

    public int Commit(OutHeader* header, int payloadLength)
    {
        var entry = (UringReqHeader*)blocks[current];
        *(OutHeader*)entry->InOut = *header;
        // An error reply carries no payload: the kernel ends the request with the error and ignores it.
        entry->RingEntInOut.PayloadSz = header->Error == 0 ? (uint)payloadLength : 0;
        var sqe = NextSqe();
        sqe->Off = UringCommand.CommitAndFetch;
        sqe->UserData = (ulong)current;
        var cmd = (UringCmdReq*)((byte*)sqe + IoUringSqe.CommandOffset);
        cmd->CommitId = entry->RingEntInOut.CommitId;
        cmd->Qid = (ushort)qid;
        committed = true;
        return 0;
    }

    /// <summary>Only once the thread has ended (the session's Finish).</summary>
    public void Dispose()
    {
        prepared.Dispose();
        go.Dispose();
    }

    private bool Prepare()
    {
        try
        {
            PinToCpu();
            ring = IoUringRing.Create(Depth * 2);
            for (var i = 0; i < Depth; i++)
            {
                var block = (byte*)NativeMemory.AlignedAlloc((nuint)(HeaderRoom + payloadCapacity), 4096);
                blocks[i] = block;
                NativeMemory.Clear(block, HeaderRoom);
                iovecs[2 * i] = new IoVec(block, (nuint)sizeof(UringReqHeader));
                iovecs[(2 * i) + 1] = new IoVec(block + HeaderRoom, (nuint)payloadCapacity);
            }
            return true;
        }
        catch (Exception ex) when (ex is FuseException or OutOfMemoryException)
        {
            prepareError = ex;
            return false;
        }
        finally
        {
            prepared.Set();
        }
    }

    private void PinToCpu()
    {
        // The kernel picks the queue by the caller's CPU; serving it from that CPU keeps both ends of a
        // request on one core. A cpuset may forbid it: then the queue works, only without the locality.
        const int MaskBytes = 128; // cpu_set_t: 1024 CPUs
        var mask = stackalloc byte[MaskBytes];
        new Span<byte>(mask, MaskBytes).Clear();
        if (qid >= MaskBytes * 8)
            return;
        mask[qid / 8] = (byte)(1 << (qid % 8));
        if (Libc.SchedSetAffinity(0, MaskBytes, mask) != 0)
            log.Debug("fuse: io_uring queue {Qid}: cannot pin to CPU {Qid}: {Error}", qid, qid, Errors.Describe(Marshal.GetLastPInvokeError()));
    }

    private void Register()
    {
        for (var i = 0; i < Depth; i++)
            SubmitRegister(i);
        liveEntries = Depth;
    }

    private void SubmitRegister(int index)
    {
        var sqe = NextSqe();
        sqe->Off = UringCommand.Register;
        sqe->Addr = (ulong)(iovecs + (2 * index));
        sqe->Len = 2;
        sqe->UserData = (ulong)index;
        ((UringCmdReq*)((byte*)sqe + IoUringSqe.CommandOffset))->Qid = (ushort)qid;
    }

    private IoUringSqe* NextSqe()
    {
        var sqe = ring!.NextSqe();
        if (sqe == null)
        {
            // Full: hand what is there to the kernel first (never more than one SQE per entry is pending).
            var rc = ring.SubmitAndWait(0);
            if (rc != 0)
                throw Errors.Exception("io_uring_enter", -rc);
            sqe = ring.NextSqe();
            if (sqe == null)
                throw new InvalidOperationException("io_uring submission ring stays full");
        }
        sqe->Opcode = IoUringConstants.OpUringCmd;
        sqe->Fd = device.Fd;
        return sqe;
    }

    /// <summary>Serves until the kernel has ended every entry; true when that was an unmount or abort.</summary>
    private bool Serve()
    {
        var clean = true;
        while (liveEntries > 0)
        {
            var rc = ring!.SubmitAndWait(1);
            if (rc != 0)
            {
                log.Error("fuse: io_uring queue {Qid}: io_uring_enter: {Error}", qid, Errors.Describe(-rc));
                return false;
            }
            while (ring.TryPeek(out var cqe))
            {
                ring.Consume();
                var index = (int)cqe.UserData;
                if (cqe.Res == 0)
                {
                    ServeEntry(index);
                    // Replies wait in the submission ring only while more requests are ready to serve.
                    if (!ring.TryPeek(out _))
                        break;
                    continue;
                }
                var errno = -cqe.Res;
                if (errno is Errno.EAGAIN or Errno.EINTR)
                {
                    SubmitRegister(index);
                    continue;
                }
                liveEntries--;
                if (errno is Errno.ENOTCONN or Errno.ECONNABORTED or Errno.ENODEV or Errno.ECANCELED)
                    continue; // unmounted or aborted
                if (errno is Errno.EOPNOTSUPP or Errno.EINVAL)
                    log.Warning("fuse: io_uring queue {Qid}: the kernel refused an entry ({Error}); requests go through /dev/fuse", qid, Errors.Describe(errno));
                else
                    log.Warning("fuse: io_uring queue {Qid}: entry {Index} ended: {Error}", qid, index, Errors.Describe(errno));
                clean &= errno is Errno.EOPNOTSUPP or Errno.EINVAL or Errno.ENOENT; // one entry lost to an error is enough
            }
        }
        return clean;
    }

    private void ServeEntry(int index)
    {
        var entry = (UringReqHeader*)blocks[index];
        var header = (InHeader*)entry->InOut;
        var payload = blocks[index] + HeaderRoom;
        var payloadSize = (int)entry->RingEntInOut.PayloadSz;
        var length = (int)header->Len;
        var firstArg = length - sizeof(InHeader) - payloadSize;
        current = index;
        committed = false;
        Worker.BeginRingRequest(this, payload - sizeof(OutHeader));
        try
        {
            if (firstArg < 0 || firstArg > UringReqHeader.OpInSize || length > Worker.RequestCapacity)
            {
                log.Warning("fuse: io_uring queue {Qid}: malformed request ({Length} bytes, payload {Payload})", qid, length, payloadSize);
                Worker.SendReply(header->Unique, Errno.EIO, 0);
                return;
            }
            // The dispatcher reads one contiguous request, as /dev/fuse delivers it: header, first arg, the rest.
            var request = Worker.RequestBuffer;
            Buffer.MemoryCopy(header, request, sizeof(InHeader), sizeof(InHeader));
            Buffer.MemoryCopy(entry->OpIn, request + sizeof(InHeader), firstArg, firstArg);
            Buffer.MemoryCopy(payload, request + sizeof(InHeader) + firstArg, payloadSize, payloadSize);
            dispatcher!.Handle(Worker, length);
            if (!committed)
            {
                // Every request that came through the ring must be committed, or its entry never returns.
                var noReply = header->Opcode is (uint)FuseOpcode.NotifyReply;
                Worker.SendReply(header->Unique, noReply ? 0 : Errno.EIO, 0);
            }
        }
        finally
        {
            Worker.EndRingRequest();
            current = -1;
        }
    }

    private void Release()
    {
        ring?.Dispose();
        ring = null;
        if (liveEntries > 0)
        {
            // Serving stopped while the kernel still held entries (an error, not an unmount): closing the
            // ring cancels them asynchronously, so their buffers are left to the process rather than freed
            // under a copy the kernel may still make.
            log.Warning("fuse: io_uring queue {Qid} ended with {Live} entries still registered", qid, liveEntries);
            return;
        }
        for (var i = 0; i < Depth; i++)
        {
            if (blocks[i] != null)
                NativeMemory.AlignedFree(blocks[i]);
            blocks[i] = null;
        }
        NativeMemory.Free(iovecs);
    }
}
