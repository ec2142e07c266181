using LayerFs.Fuse.Protocol;
using Serilog;

namespace LayerFs.Fuse.Session;

/// <summary>
/// The INIT handshake: versions, capability flags and limits. Each capability we ask for, and why:
/// <list type="bullet">
/// <item>ASYNC_READ: several READs of one handle in flight (readahead in parallel).</item>
/// <item>BIG_WRITES, MAX_PAGES: requests up to MaxWrite (1 MiB) instead of 4 KiB / 128 KiB.</item>
/// <item>PARALLEL_DIROPS: lookups and readdirs in one directory run concurrently.</item>
/// <item>DO_READDIRPLUS + READDIRPLUS_AUTO: listings carry attributes when the kernel sees ls -l / find
/// style access, plain READDIR otherwise (only if the filesystem implements ReadDirPlus); without
/// READDIRPLUS_AUTO when the mount asks for ReadDirPlus Always.</item>
/// <item>CACHE_SYMLINKS: READLINK answers go to the page cache.</item>
/// <item>EXPORT_SUPPORT: lookups of "." and ".." work, so the mount can be NFS-exported.</item>
/// <item>AUTO_INVAL_DATA: cached pages are dropped when a GETATTR shows a new mtime or size.</item>
/// <item>NO_OPEN_SUPPORT / NO_OPENDIR_SUPPORT: a filesystem without Open/OpenDir (ENOSYS) gets
/// zero-cost opens instead of errors.</item>
/// <item>DIRECT_IO_ALLOW_MMAP: shared mmap keeps working if a filesystem uses FOPEN_DIRECT_IO.</item>
/// <item>PASSTHROUGH (with max_stack_depth): when allowed, see SessionPlan.</item>
/// <item>WRITEBACK_CACHE: only on request and never with PASSTHROUGH (the kernel refuses the pair).</item>
/// <item>HANDLE_KILLPRIV_V2: only when the filesystem takes on clearing set-id bits and
/// capabilities (FuseMountOptions.HandleKillPriv): saves a GETATTR per chown and a GETXATTR per write.</item>
/// <item>INIT_EXT: always echoed, or the kernel ignores flags2.</item>
/// <item>POSIX_ACL: only on request (FuseMountOptions.PosixAcl).</item>
/// <item>OVER_IO_URING: when the kernel offers it (enable_uring) and FuseMountOptions.IoUring; the
/// session drops it again before replying if its rings cannot be set up (see UringQueue).</item>
/// </list>
/// Not asked for: POSIX/FLOCK locks (the kernel keeps them local), SPLICE_* (plain read/writev),
/// SETXATTR_EXT, SECURITY_CTX, ALLOW_IDMAP, REQUEST_TIMEOUT.
/// </summary>
internal static class InitNegotiation
{
    private const FuseInitFlags AlwaysWanted =
        FuseInitFlags.AsyncRead | FuseInitFlags.BigWrites | FuseInitFlags.MaxPages | FuseInitFlags.ParallelDirOps
        | FuseInitFlags.CacheSymlinks | FuseInitFlags.ExportSupport | FuseInitFlags.AutoInvalData
        | FuseInitFlags.NoOpenSupport | FuseInitFlags.NoOpenDirSupport | FuseInitFlags.DirectIoAllowMmap
        | FuseInitFlags.InitExt;

    /// <summary>flags2 was added in 7.36.</summary>
    private const uint Flags2Minor = 36;

    /// <summary>Offset of flags2 in fuse_init_in: older kernels send only the first 16 bytes.</summary>
    private const int Flags2End = 20;

    /// <summary>Fills the reply; returns 0, or the errno to answer INIT with when we cannot talk to this kernel.</summary>
    /// <param name="prepareRings">Called when io_uring is both wanted and offered: sets up the queues'
    /// rings; false drops OVER_IO_URING from the reply (the kernel would wait forever for queues that never register).</param>
    public static int Negotiate(in InitIn offer, int offerLength, SessionPlan plan, FuseMountOptions options, ILogger log,
        Func<bool> prepareRings, out InitOut reply, out FuseConnectionInfo info)
    {
        reply = default;
        info = new FuseConnectionInfo();
        if (offer.Major != FuseKernel.Major || offer.Minor < FuseKernel.MinimumMinor)
        {
            log.Error("fuse: the kernel speaks FUSE {Major}.{Minor}; this binding needs {OurMajor}.{MinMinor} or later",
                offer.Major, offer.Minor, FuseKernel.Major, FuseKernel.MinimumMinor);
            return Errno.EPROTO;
        }
        var offered = (FuseInitFlags)offer.Flags;
        if (offer.Minor >= Flags2Minor && offered.HasFlag(FuseInitFlags.InitExt) && offerLength >= Flags2End)
            offered |= (FuseInitFlags)((ulong)offer.Flags2 << 32);

        var wanted = AlwaysWanted;
        if (plan.WantReadDirPlus)
            wanted |= options.ReadDirPlus == FuseReadDirPlusMode.Always
                ? FuseInitFlags.DoReadDirPlus
                : FuseInitFlags.DoReadDirPlus | FuseInitFlags.ReadDirPlusAuto;
        if (plan.WantPassthrough)
            wanted |= FuseInitFlags.Passthrough;
        if (options.HandleKillPriv)
            wanted |= FuseInitFlags.HandleKillPrivV2;
        if (options.PosixAcl)
            wanted |= FuseInitFlags.PosixAcl;
        if (options.IoUring)
            wanted |= FuseInitFlags.OverIoUring;
        var negotiated = wanted & offered;
        if (options.WritebackCache && !negotiated.HasFlag(FuseInitFlags.Passthrough))
        {
            wanted |= FuseInitFlags.WritebackCache;
            negotiated |= offered & FuseInitFlags.WritebackCache;
        }
        if (negotiated.HasFlag(FuseInitFlags.OverIoUring) && !prepareRings())
            negotiated &= ~FuseInitFlags.OverIoUring;
        var passthrough = negotiated.HasFlag(FuseInitFlags.Passthrough);
        var minor = Math.Min(offer.Minor, FuseKernel.OurMinor);
        // The kernel keeps the smaller of this and its own window; a larger MaxReadahead is applied through sysfs.
        var readahead = options.MaxReadahead == 0 ? offer.MaxReadahead : Math.Min(options.MaxReadahead, offer.MaxReadahead);

        reply.Major = FuseKernel.Major;
        reply.Minor = minor;
        reply.MaxReadahead = readahead;
        reply.Flags = (uint)((ulong)negotiated & 0xFFFF_FFFF);
        reply.Flags2 = (uint)((ulong)negotiated >> 32);
        reply.MaxBackground = Math.Max((ushort)1, options.MaxBackground);
        reply.CongestionThreshold = (ushort)Math.Max(1, reply.MaxBackground * 3 / 4);
        reply.MaxWrite = plan.MaxWrite;
        reply.TimeGran = 1;
        reply.MaxPages = (ushort)plan.MaxPages;
        reply.MaxStackDepth = passthrough ? plan.MaxStackDepth : 0;

        info = new FuseConnectionInfo
        {
            ProtocolMajor = FuseKernel.Major,
            ProtocolMinor = minor,
            KernelMinor = offer.Minor,
            KernelFlags = (ulong)offered,
            NegotiatedFlags = (ulong)negotiated,
            MaxWrite = plan.MaxWrite,
            MaxReadahead = readahead,
            MaxPages = plan.MaxPages,
            PassthroughEnabled = passthrough,
            MaxStackDepth = reply.MaxStackDepth,
            ReaderThreads = plan.Threads,
        };
        LogOutcome(log, offer, wanted, negotiated, plan, options);
        return 0;
    }

    private static void LogOutcome(ILogger log, in InitIn offer, FuseInitFlags wanted, FuseInitFlags negotiated, SessionPlan plan, FuseMountOptions options)
    {
        if (log.IsEnabled(Serilog.Events.LogEventLevel.Debug))
        {
            foreach (var flag in Enum.GetValues<FuseInitFlags>())
            {
                if (flag == FuseInitFlags.None || !wanted.HasFlag(flag))
                    continue;
                log.Debug("fuse: INIT {Flag}: {State}", flag, negotiated.HasFlag(flag) ? "enabled" : "not supported by the kernel");
            }
            if (options.Passthrough && !plan.WantPassthrough)
                log.Debug("fuse: INIT Passthrough: not requested (needs CAP_SYS_ADMIN)");
            if (!plan.WantReadDirPlus)
                log.Debug("fuse: INIT DoReadDirPlus: not requested (the filesystem has no ReadDirPlus)");
        }
        log.Debug("fuse: protocol {Major}.{Minor} (kernel offers 7.{KernelMinor}), max_write {MaxWrite}, max_pages {MaxPages}, passthrough {Passthrough}, {Threads} reader thread(s)",
            FuseKernel.Major, Math.Min(offer.Minor, FuseKernel.OurMinor), offer.Minor, plan.MaxWrite, plan.MaxPages,
            negotiated.HasFlag(FuseInitFlags.Passthrough) ? $"on (max_stack_depth {plan.MaxStackDepth})" : "off", plan.Threads);
    }
}
