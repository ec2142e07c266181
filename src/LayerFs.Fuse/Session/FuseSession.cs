using System.Runtime.InteropServices;
using LayerFs.Fuse.Interop;
using LayerFs.Fuse.Mount;
using LayerFs.Fuse.Passthrough;
using LayerFs.Fuse.Protocol;
using LayerFs.Fuse.Session;
using LayerFs.Fuse.Uring;
using Serilog;

namespace LayerFs.Fuse;

/// <summary>
/// One mounted FUSE connection served by a filesystem: Mount, then Start (INIT), then the reader
/// threads answer requests until the filesystem is unmounted or Stop is called.
/// <code>
/// using var session = FuseSession.Mount("/mnt/x", fs, new FuseMountOptions());
/// session.Start();
/// using var signals = FuseSignals.StopOnTermination(session);
/// session.WaitForExit();
/// </code>
/// The filesystem is called from the reader threads only; a thread of this process that is not a
/// reader may use the mount (a reader must not: it would wait for itself).
/// </summary>
public sealed unsafe class FuseSession : IDisposable
{
    /// <summary>How long Stop waits for the readers to see the unmount before aborting the connection.</summary>
    private static readonly TimeSpan UnmountGrace = TimeSpan.FromMilliseconds(300);

    /// <summary>How long Stop waits for readers after aborting the connection.</summary>
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(5);

    private readonly FuseFileSystem fs;
    private readonly FuseMountOptions options;
    private readonly ILogger log;
    private readonly MountedConnection connection;
    private readonly SessionPlan plan;
    private readonly ManualResetEventSlim exited = new(false);
    private readonly ManualResetEventSlim stopDone = new(true);
    private readonly Lock stateLock = new();
    private FuseWorker[] workers = [];
    private UringQueue[] queues = [];
    private BackingFileRegistry? backing;
    private FuseConnectionInfo? info;
    private SessionState state = SessionState.Mounted;
    private int liveReaders;
    private int destroyed;
    private int finished;
    private bool stopRequestedDuringStart;

    private FuseSession(FuseFileSystem fs, FuseMountOptions options, ILogger log, MountedConnection connection)
    {
        this.fs = fs;
        this.options = options;
        this.log = log;
        this.connection = connection;
        plan = new SessionPlan(options, fs);
        Notifier = new FuseNotifier(this);
    }

    private enum SessionState
    {
        Mounted,
        Starting,
        Running,
        Stopping,
        Stopped,
    }

    /// <summary>What INIT settled on. Available once Start has returned.</summary>
    public FuseConnectionInfo Connection => info ?? throw new InvalidOperationException("the session has not been started");

    /// <summary>Cache invalidation; callable from any thread once started.</summary>
    public FuseNotifier Notifier { get; }

    /// <summary>Where it is mounted; null for a /dev/fd/N session.</summary>
    public string? MountPoint => connection.MountPoint;

    /// <summary>Whether new opens can still get passthrough (false once the kernel refused a backing file).</summary>
    public bool PassthroughActive => backing?.Enabled ?? false;

    internal FuseDeviceHandle Device => connection.Device;

    internal bool IsRunning => state == SessionState.Running;

    /// <summary>
    /// Mounts fs at mountpoint (a directory, or "/dev/fd/N" for an fd that mount.fuse3 or another
    /// supervisor already mounted). Nothing is served until Start.
    /// </summary>
    public static FuseSession Mount(string mountpoint, FuseFileSystem fs, FuseMountOptions options)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(options);
        var log = (options.Logger ?? Log.Logger).ForContext<FuseSession>();
        var connection = Mounter.Mount(mountpoint, options, log);
        return new FuseSession(fs, options, log, connection);
    }

    /// <summary>Answers INIT, calls FuseFileSystem.Init, then starts the reader threads.</summary>
    public void Start()
    {
        lock (stateLock)
        {
            if (state != SessionState.Mounted)
                throw new InvalidOperationException("the session was already started or stopped");
            state = SessionState.Starting;
        }
        var first = new FuseWorker(0, connection.Device, plan.RequestCapacity, plan.ReplyCapacity);
        try
        {
            info = Handshake(first);
            if (options.MaxReadahead > 0 && connection.ConnectionId is { } id && Privileges.IsRoot)
                BdiReadahead.Raise(id, options.MaxReadahead, log);
            backing = new BackingFileRegistry(connection.Device, info.PassthroughEnabled, log);
            fs.Init(info);
            workers = CreateWorkers(first);
        }
        catch
        {
            CancelQueues();
            first.Dispose();
            lock (stateLock)
                state = SessionState.Mounted;
            Stop();
            throw;
        }
        var dispatcher = new RequestDispatcher(fs, backing, log, DestroyOnce) { Workers = [.. workers, .. queues.Select(q => q.Worker)] };
        liveReaders = workers.Length + queues.Length;
        lock (stateLock)
            state = SessionState.Running;
        foreach (var w in workers)
        {
            var worker = w;
            worker.Thread = new Thread(() => RunReader(worker, dispatcher))
            {
                IsBackground = true,
                Name = "fuse-reader-" + worker.Index,
            };
            worker.Thread.Start();
        }
        foreach (var q in queues)
            q.Go(dispatcher);
        log.Debug("fuse: serving {MountPoint} with {Threads} reader thread(s) and {Queues} io_uring queue(s)", MountPoint ?? "/dev/fd", workers.Length, queues.Length);
        bool stopNow;
        lock (stateLock)
            stopNow = stopRequestedDuringStart;
        if (stopNow)
            Stop();
    }

    /// <summary>Blocks until the filesystem is unmounted or the session stopped (and Stop has finished its cleanup).</summary>
    public void WaitForExit()
    {
        exited.Wait();
        stopDone.Wait();
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        return exited.Wait(timeout) && stopDone.Wait(timeout - clock.Elapsed < TimeSpan.Zero ? TimeSpan.Zero : timeout - clock.Elapsed);
    }

    /// <summary>
    /// Unmounts (lazily, when this process mounted it) and ends the session. Files that are still
    /// open on the mount keep the connection alive after a lazy unmount; the connection is then
    /// aborted so the readers can end (those files get ENOTCONN). Idempotent; callable from any thread.
    /// </summary>
    public void Stop()
    {
        bool wasRunning;
        lock (stateLock)
        {
            if (state is SessionState.Stopping or SessionState.Stopped)
                return;
            wasRunning = state == SessionState.Running;
            if (state == SessionState.Starting)
            {
                // INIT is being answered on the starting thread; Start stops the session once it is up.
                stopRequestedDuringStart = true;
                return;
            }
            state = SessionState.Stopping;
            stopDone.Reset();
        }
        if (workers.Any(w => w.Thread == Thread.CurrentThread) || queues.Any(q => q.Worker.Thread == Thread.CurrentThread))
        {
            // A reader cannot wait for itself; finish the job on another thread.
            new Thread(StopFromOutside) { IsBackground = true, Name = "fuse-stop" }.Start();
            return;
        }
        StopCore(wasRunning);
    }

    public void Dispose()
    {
        Stop();
        WaitForExit(AbortGrace);
    }

    private void StopFromOutside() => StopCore(wasRunning: true);

    private void StopCore(bool wasRunning)
    {
        try
        {
            StopAndWait(wasRunning);
        }
        finally
        {
            // A process that returns from WaitForExit must not cut this cleanup short (a fusectl mount, say).
            stopDone.Set();
        }
    }

    private void StopAndWait(bool wasRunning)
    {
        UnmountIfOurs();
        if (!wasRunning)
        {
            connection.Device.Dispose();
            Finish();
            return;
        }
        if (!exited.Wait(UnmountGrace) && connection.ConnectionId is { } id)
        {
            log.Debug("fuse: the mount is still in use; aborting connection {Id}", id);
            FuseConnectionControl.Abort(id, log);
        }
        if (!exited.Wait(AbortGrace))
        {
            // Readers still blocked in read() (a /dev/fd session nobody unmounted, or no fusectl).
            // They are background threads and release their fds and buffers if they ever return.
            log.Warning("fuse: reader threads did not end; leaving them behind");
            Finish();
        }
    }

    private void UnmountIfOurs()
    {
        if (!connection.MountedByUs || connection.MountPoint is not { } mountPoint || !FuseMounts.IsMounted(mountPoint))
            return;
        try
        {
            if (connection.ViaFusermount)
                FusermountProgram.Unmount(mountPoint, lazy: true);
            else
                FuseMounts.Unmount(mountPoint, lazy: true);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            log.Warning("fuse: unmounting {MountPoint}: {Error}", mountPoint, ex.Message);
        }
    }

    private FuseConnectionInfo Handshake(FuseWorker worker)
    {
        while (true)
        {
            var n = worker.ReadRequest();
            if (n < 0)
            {
                if (-n is Errno.EINTR or Errno.EAGAIN or Errno.ENOENT)
                    continue;
                throw Errors.Exception("reading FUSE_INIT", -n);
            }
            var header = (InHeader*)worker.RequestBuffer;
            var body = n - sizeof(InHeader);
            if (n < sizeof(InHeader) || header->Opcode != (uint)FuseOpcode.Init || body < 16)
            {
                log.Warning("fuse: expected INIT, got {Op}", FuseOpcodes.Name(header->Opcode));
                worker.SendReply(header->Unique, Errno.EIO, 0);
                continue;
            }
            var offer = default(InitIn);
            Buffer.MemoryCopy(header + 1, &offer, sizeof(InitIn), Math.Min(body, sizeof(InitIn)));
            var rc = InitNegotiation.Negotiate(offer, body, plan, options, log, PrepareQueues, out var reply, out var negotiated);
            if (rc != 0)
            {
                worker.SendReply(header->Unique, rc, 0);
                throw new FuseException($"FUSE_INIT failed: the kernel offers protocol {offer.Major}.{offer.Minor}", rc);
            }
            negotiated.IoUringQueues = queues.Length;
            *(InitOut*)worker.ReplyPayload = reply;
            var sent = worker.SendReply(header->Unique, 0, sizeof(InitOut));
            if (sent != 0)
                throw Errors.Exception("answering FUSE_INIT", sent);
            return negotiated;
        }
    }

    /// <summary>
    /// Starts one io_uring queue thread per possible CPU (the kernel's queue count) and waits until
    /// each has its ring. Any failure cancels them all: the session then runs on /dev/fuse alone.
    /// </summary>
    private bool PrepareQueues()
    {
        var count = PossibleCpus.Count();
        var list = new UringQueue[count];
        for (var qid = 0; qid < count; qid++)
        {
            var worker = new FuseWorker(plan.Threads + qid, connection.Device, plan.RequestCapacity, plan.ReplyCapacity);
            var queue = new UringQueue(qid, connection.Device, worker, plan.ReplyCapacity, log);
            list[qid] = queue;
            worker.Thread = new Thread(() => queue.Run(QueueEnded))
            {
                IsBackground = true,
                Name = "fuse-uring-" + qid,
            };
            worker.Thread.Start();
        }
        queues = list;
        foreach (var q in list)
        {
            if (q.WaitPrepared(TimeSpan.FromSeconds(10)) is { } error)
            {
                log.Warning("fuse: io_uring queues unavailable ({Error}); serving over /dev/fuse", error.Message);
                CancelQueues();
                return false;
            }
        }
        return true;
    }

    /// <summary>Ends queue threads that never served (INIT went out without io_uring, or Start failed).</summary>
    private void CancelQueues()
    {
        foreach (var q in queues)
            q.Cancel();
        queues = [];
    }

    private void QueueEnded(UringQueue queue, bool clean)
    {
        if (!queue.Served)
            return; // cancelled before Start counted it
        if (Interlocked.Decrement(ref liveReaders) == 0)
            Finish();
        else if (!clean)
            ThreadPool.UnsafeQueueUserWorkItem(_ => Stop(), null);
    }

    /// <summary>
    /// The first worker reads the session fd; the others each get a FUSE_DEV_IOC_CLONE of it, so the
    /// kernel spreads requests over separate queues instead of waking every reader on one fd.
    /// </summary>
    private FuseWorker[] CreateWorkers(FuseWorker first)
    {
        var list = new List<FuseWorker> { first };
        var sessionFd = (uint)connection.Device.Fd;
        for (var i = 1; i < plan.Threads; i++)
        {
            FuseDeviceHandle device;
            try
            {
                device = FuseDeviceHandle.OpenDevice();
            }
            catch (FuseException ex)
            {
                log.Warning("fuse: {Error}; reader threads share one fd", ex.Message);
                device = connection.Device;
            }
            if (device != connection.Device && Libc.Ioctl(device, DeviceIoctl.Clone, &sessionFd) != 0)
            {
                log.Warning("fuse: FUSE_DEV_IOC_CLONE failed ({Error}); reader threads share one fd", Errors.Describe(Marshal.GetLastPInvokeError()));
                device.Dispose();
                device = connection.Device;
            }
            list.Add(new FuseWorker(i, device, plan.RequestCapacity, plan.ReplyCapacity));
        }
        return [.. list];
    }

    private void RunReader(FuseWorker worker, RequestDispatcher dispatcher)
    {
        var clean = false;
        try
        {
            while (true)
            {
                var n = worker.ReadRequest();
                if (n >= 0)
                {
                    if (Volatile.Read(ref finished) != 0)
                    {
                        // Stop gave up waiting for this thread and destroyed the filesystem: refuse, then end.
                        RefuseAfterFinish(worker, n);
                        break;
                    }
                    dispatcher.Handle(worker, n);
                    continue;
                }
                var errno = -n;
                if (errno is Errno.EINTR or Errno.EAGAIN or Errno.ENOENT)
                    continue; // interrupted, or the request vanished before we got it
                if (errno is Errno.ENODEV or Errno.ECONNABORTED)
                {
                    clean = true; // unmounted or aborted: the session is over
                    break;
                }
                log.Error("fuse: reading /dev/fuse: {Error}", Errors.Describe(errno));
                break;
            }
        }
        catch (Exception ex)
        {
            log.Error(ex, "fuse: reader thread {Index} failed", worker.Index);
        }
        finally
        {
            if (worker.Device != connection.Device)
                worker.Device.Dispose();
            worker.Dispose();
            if (Interlocked.Decrement(ref liveReaders) == 0)
                Finish();
            else if (!clean)
                ThreadPool.UnsafeQueueUserWorkItem(_ => Stop(), null); // a broken reader ends the whole session
        }
    }

    private static void RefuseAfterFinish(FuseWorker worker, int length)
    {
        var header = (InHeader*)worker.RequestBuffer;
        if (length >= sizeof(InHeader) && header->Opcode is not ((uint)FuseOpcode.Forget or (uint)FuseOpcode.BatchForget or (uint)FuseOpcode.Interrupt or (uint)FuseOpcode.NotifyReply))
            worker.SendReply(header->Unique, Errno.ENOTCONN, 0);
    }

    private void DestroyOnce()
    {
        if (Interlocked.Exchange(ref destroyed, 1) != 0)
            return;
        try
        {
            fs.Destroy();
        }
        catch (Exception ex)
        {
            log.Error(ex, "fuse: Destroy failed");
        }
    }

    /// <summary>Runs once when the session is over: Destroy, backing ids, the session fd.</summary>
    private void Finish()
    {
        if (Interlocked.Exchange(ref finished, 1) != 0)
            return;
        lock (stateLock)
            state = SessionState.Stopping;
        if (info is not null)
            DestroyOnce();
        try
        {
            backing?.CloseAll();
        }
        catch (ObjectDisposedException)
        {
        }
        foreach (var q in queues)
            q.Dispose();
        connection.Device.Dispose();
        lock (stateLock)
            state = SessionState.Stopped;
        exited.Set();
        log.Debug("fuse: session for {MountPoint} ended", MountPoint ?? "/dev/fd");
    }
}
