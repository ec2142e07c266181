using LayerFs.Fuse.Passthrough;
using LayerFs.Fuse.Protocol;
using Serilog;

namespace LayerFs.Fuse.Session;

/// <summary>
/// Turns one request into one call of the filesystem and one reply. Called concurrently by every
/// reader thread; it holds no per-request state of its own (that lives in the worker and the
/// Request on the stack), so the hot path takes no lock and allocates nothing.
/// </summary>
internal sealed unsafe partial class RequestDispatcher
{
    /// <summary>Smallest body each opcode must carry (its fixed struct, or one NUL for a bare name).</summary>
    private static readonly int[] MinimumBody = BuildMinimumBody();

    private readonly FuseFileSystem fs;
    private readonly BackingFileRegistry backing;
    private readonly OperationSupport support = new();
    private readonly ILogger log;
    private readonly bool verbose;
    private readonly Action destroy;
    private int invalidNameWarnings;

    public RequestDispatcher(FuseFileSystem fs, BackingFileRegistry backing, ILogger log, Action destroy)
    {
        this.fs = fs;
        this.backing = backing;
        this.log = log;
        this.destroy = destroy;
        verbose = log.IsEnabled(Serilog.Events.LogEventLevel.Verbose);
    }

    /// <summary>Every worker, so that an INTERRUPT read by one thread finds the request another serves.</summary>
    public FuseWorker[] Workers { get; set; } = [];

    public void Handle(FuseWorker worker, int length)
    {
        var header = (InHeader*)worker.RequestBuffer;
        if (length < sizeof(InHeader))
        {
            log.Warning("fuse: short request of {Length} bytes ignored", length);
            return;
        }
        var bodyLength = Math.Min(length, (int)header->Len) - sizeof(InHeader) - header->TotalExtLen * 8;
        var req = new Request(worker, header, Math.Max(bodyLength, 0));
        var opcode = header->Opcode;
        if (verbose)
            RequestLog.Received(log, ref req);
        if (bodyLength < 0 || (opcode < FuseOpcodes.TableSize && bodyLength < MinimumBody[opcode]))
        {
            log.Warning("fuse: {Op} request {Unique} too short ({Length} bytes)", FuseOpcodes.Name(opcode), header->Unique, length);
            if (!IsNoReply(opcode))
                SendError(ref req, Errno.EIO);
            return;
        }
        try
        {
            switch ((FuseOpcode)opcode)
            {
                case FuseOpcode.Forget:
                    DoForget(ref req);
                    return;
                case FuseOpcode.BatchForget:
                    DoBatchForget(ref req);
                    return;
                case FuseOpcode.Interrupt:
                    DoInterrupt(ref req);
                    return;
                case FuseOpcode.NotifyReply:
                    return;
            }
            if (support.IsUnsupported(opcode))
            {
                SendError(ref req, Errno.ENOSYS);
                return;
            }
            worker.Interrupt.Begin(req.Unique);
            try
            {
                Dispatch(ref req);
            }
            finally
            {
                worker.Interrupt.End(req.Unique);
            }
        }
        catch (Exception ex)
        {
            log.Error(ex, "fuse: {Op} i{Node} failed", FuseOpcodes.Name(opcode), req.NodeId);
            if (!req.Replied && !IsNoReply(opcode))
                SendError(ref req, Errno.EIO);
        }
    }

    private void Dispatch(ref Request req)
    {
        switch ((FuseOpcode)req.Opcode)
        {
            case FuseOpcode.Lookup: DoLookup(ref req); break;
            case FuseOpcode.GetAttr: DoGetAttr(ref req); break;
            case FuseOpcode.SetAttr: DoSetAttr(ref req); break;
            case FuseOpcode.ReadLink: DoReadLink(ref req); break;
            case FuseOpcode.Symlink: DoSymlink(ref req); break;
            case FuseOpcode.MkNod: DoMkNod(ref req); break;
            case FuseOpcode.MkDir: DoMkDir(ref req); break;
            case FuseOpcode.Unlink: DoUnlink(ref req); break;
            case FuseOpcode.RmDir: DoRmDir(ref req); break;
            case FuseOpcode.Rename: DoRename(ref req); break;
            case FuseOpcode.Rename2: DoRename2(ref req); break;
            case FuseOpcode.Link: DoLink(ref req); break;
            case FuseOpcode.Open: DoOpen(ref req); break;
            case FuseOpcode.Create: DoCreate(ref req); break;
            case FuseOpcode.Read: DoRead(ref req); break;
            case FuseOpcode.Write: DoWrite(ref req); break;
            case FuseOpcode.Flush: DoFlush(ref req); break;
            case FuseOpcode.Release: DoRelease(ref req); break;
            case FuseOpcode.Fsync: DoFsync(ref req); break;
            case FuseOpcode.Fallocate: DoFallocate(ref req); break;
            case FuseOpcode.Lseek: DoLseek(ref req); break;
            case FuseOpcode.StatFs: DoStatFs(ref req); break;
            case FuseOpcode.SetXattr: DoSetXattr(ref req); break;
            case FuseOpcode.GetXattr: DoGetXattr(ref req); break;
            case FuseOpcode.ListXattr: DoListXattr(ref req); break;
            case FuseOpcode.RemoveXattr: DoRemoveXattr(ref req); break;
            case FuseOpcode.OpenDir: DoOpenDir(ref req); break;
            case FuseOpcode.ReadDir: DoReadDir(ref req, plus: false); break;
            case FuseOpcode.ReadDirPlus: DoReadDir(ref req, plus: true); break;
            case FuseOpcode.ReleaseDir: DoReleaseDir(ref req); break;
            case FuseOpcode.FsyncDir: DoFsyncDir(ref req); break;
            case FuseOpcode.Access: DoAccess(ref req); break;
            case FuseOpcode.Destroy: DoDestroy(ref req); break;
            case FuseOpcode.Init:
                // INIT is answered once, by the session, before any reader thread runs.
                log.Warning("fuse: unexpected INIT after the handshake");
                SendError(ref req, Errno.EIO);
                break;
            default:
                // Locks, ioctl, poll, bmap, copy_file_range, statx, tmpfile, syncfs, DAX mappings:
                // not offered. ENOSYS makes the kernel fall back (locks stay local, statx becomes getattr).
                SendError(ref req, Errno.ENOSYS);
                break;
        }
    }

    /// <summary>Replies with an errno. An ENOSYS from the filesystem is remembered for the opcode.</summary>
    private void ReplyError(ref Request req, int errno)
    {
        if (errno == Errno.ENOSYS && support.MarkUnsupported(req.Opcode))
        {
            // For OPEN and OPENDIR, ENOSYS is the filesystem asking for zero-message opens.
            if (req.Opcode is (uint)FuseOpcode.Open or (uint)FuseOpcode.OpenDir)
                log.Debug("fuse: the kernel opens without {Op} from now on (the filesystem answered ENOSYS)", FuseOpcodes.Name(req.Opcode));
            else
                log.Debug("fuse: {Op} is not implemented by the filesystem; answering ENOSYS from now on", FuseOpcodes.Name(req.Opcode));
        }
        SendError(ref req, errno);
    }

    private void SendError(ref Request req, int errno)
    {
        // The kernel accepts only -511..-1; anything else would make the write itself fail.
        if (errno is <= 0 or >= 512)
        {
            log.Warning("fuse: {Op} answered invalid errno {Errno}; sending EIO", FuseOpcodes.Name(req.Opcode), errno);
            errno = Errno.EIO;
        }
        req.Replied = true;
        var sent = req.Worker.SendReply(req.Unique, errno, 0);
        if (verbose)
            RequestLog.SentError(log, req.Unique, errno);
        CheckSend(ref req, sent);
    }

    /// <summary>Sends the payload already written to the reply buffer; returns 0 or the write's errno.</summary>
    private int ReplyOk(ref Request req, int payloadLength)
    {
        req.Replied = true;
        var sent = req.Worker.SendReply(req.Unique, 0, payloadLength);
        if (verbose)
            RequestLog.SentOk(log, ref req, payloadLength);
        CheckSend(ref req, sent);
        return sent;
    }

    private void CheckSend(ref Request req, int sent)
    {
        // ENOENT: the request was interrupted or the connection aborted meanwhile; ENODEV: unmounted.
        if (sent != 0 && sent != Errno.ENOENT && sent != Errno.ENODEV)
            log.Warning("fuse: reply to {Op} {Unique} failed: {Error}", FuseOpcodes.Name(req.Opcode), req.Unique, Interop.Errors.Describe(sent));
    }

    private static bool IsNoReply(uint opcode) =>
        opcode is (uint)FuseOpcode.Forget or (uint)FuseOpcode.BatchForget or (uint)FuseOpcode.NotifyReply or (uint)FuseOpcode.Interrupt;

    private static int[] BuildMinimumBody()
    {
        var min = new int[FuseOpcodes.TableSize];
        void Set(FuseOpcode op, int size) => min[(int)op] = size;
        const int Name = 1; // at least the NUL
        Set(FuseOpcode.Lookup, Name);
        Set(FuseOpcode.Forget, sizeof(ForgetIn));
        Set(FuseOpcode.GetAttr, sizeof(GetAttrIn));
        Set(FuseOpcode.SetAttr, sizeof(SetAttrIn));
        Set(FuseOpcode.Symlink, 2 * Name);
        Set(FuseOpcode.MkNod, sizeof(MkNodIn) + Name);
        Set(FuseOpcode.MkDir, sizeof(MkDirIn) + Name);
        Set(FuseOpcode.Unlink, Name);
        Set(FuseOpcode.RmDir, Name);
        Set(FuseOpcode.Rename, sizeof(RenameIn) + 2 * Name);
        Set(FuseOpcode.Rename2, sizeof(Rename2In) + 2 * Name);
        Set(FuseOpcode.Link, sizeof(LinkIn) + Name);
        Set(FuseOpcode.Open, sizeof(OpenIn));
        Set(FuseOpcode.Read, sizeof(ReadIn));
        Set(FuseOpcode.Write, sizeof(WriteIn));
        Set(FuseOpcode.Release, sizeof(ReleaseIn));
        Set(FuseOpcode.Fsync, sizeof(FsyncIn));
        Set(FuseOpcode.SetXattr, SetXattrIn.CompatSize + Name);
        Set(FuseOpcode.GetXattr, sizeof(GetXattrIn) + Name);
        Set(FuseOpcode.ListXattr, sizeof(GetXattrIn));
        Set(FuseOpcode.RemoveXattr, Name);
        Set(FuseOpcode.Flush, sizeof(FlushIn));
        Set(FuseOpcode.OpenDir, sizeof(OpenIn));
        Set(FuseOpcode.ReadDir, sizeof(ReadIn));
        Set(FuseOpcode.ReleaseDir, sizeof(ReleaseIn));
        Set(FuseOpcode.FsyncDir, sizeof(FsyncIn));
        Set(FuseOpcode.Access, sizeof(AccessIn));
        Set(FuseOpcode.Create, sizeof(CreateIn) + Name);
        Set(FuseOpcode.Interrupt, sizeof(InterruptIn));
        Set(FuseOpcode.BatchForget, sizeof(BatchForgetIn));
        Set(FuseOpcode.Fallocate, sizeof(FallocateIn));
        Set(FuseOpcode.ReadDirPlus, sizeof(ReadIn));
        Set(FuseOpcode.Lseek, sizeof(LseekIn));
        return min;
    }
}
