namespace LayerFs.Fuse;

/// <summary>
/// Attributes of one inode as the kernel sees them (struct fuse_attr). Times are
/// seconds plus nanoseconds since the epoch; Mode carries the file type bits (S_IFMT).
/// </summary>
public struct FuseAttr
{
    public ulong Ino;
    public ulong Size;
    public ulong Blocks;
    public long ATime;
    public long MTime;
    public long CTime;
    public uint ATimeNsec;
    public uint MTimeNsec;
    public uint CTimeNsec;
    public uint Mode;
    public uint NLink;
    public uint Uid;
    public uint Gid;
    public uint RDev;
    public uint BlkSize;
}

/// <summary>
/// The answer to LOOKUP, CREATE, MKNOD, MKDIR, SYMLINK, LINK and each READDIRPLUS entry.
/// NodeId 0 with a non-zero EntryTimeout is a negative entry: the kernel caches the absence
/// of the name for that long. Every answer with NodeId != 0 adds one to that node's
/// lookup count, which the kernel later gives back through Forget.
/// </summary>
public struct FuseEntry
{
    public ulong NodeId;
    public ulong Generation;
    public TimeSpan EntryTimeout;
    public TimeSpan AttrTimeout;
    public FuseAttr Attr;
}

/// <summary>FOPEN_* bits in fuse_open_out.open_flags.</summary>
[Flags]
public enum FuseOpenFlags : uint
{
    None = 0,
    DirectIo = 1 << 0,
    KeepCache = 1 << 1,
    NonSeekable = 1 << 2,
    CacheDir = 1 << 3,
    Stream = 1 << 4,
    NoFlush = 1 << 5,
    ParallelDirectWrites = 1 << 6,
    Passthrough = 1 << 7,
}

/// <summary>
/// What OPEN, OPENDIR and CREATE answer. A filesystem that wants the kernel to serve a
/// regular file's I/O directly sets PassthroughFd to an open fd of the backing file; the
/// binding then registers it (one backing id per node, shared and reference-counted across
/// opens) and falls back to the ordinary read path if the kernel refuses. The fd stays
/// owned by the filesystem and must stay open until Release of this handle.
/// </summary>
public struct FuseOpenOut
{
    public ulong Fh;
    public FuseOpenFlags Flags;
    public int PassthroughFd;

    public static FuseOpenOut Create() => new() { PassthroughFd = -1 };
}

/// <summary>The FATTR_* bits of SETATTR: which fields of FuseSetAttr are to be applied.</summary>
[Flags]
public enum FuseSetAttrValid : uint
{
    None = 0,
    Mode = 1 << 0,
    Uid = 1 << 1,
    Gid = 1 << 2,
    Size = 1 << 3,
    ATime = 1 << 4,
    MTime = 1 << 5,
    Fh = 1 << 6,
    ATimeNow = 1 << 7,
    MTimeNow = 1 << 8,
    LockOwner = 1 << 9,
    CTime = 1 << 10,
    KillSuidGid = 1 << 11,
}

/// <summary>The FUSE_WRITE_* bits of a WRITE's writeFlags.</summary>
public static class FuseWriteFlags
{
    /// <summary>FUSE_WRITE_CACHE: a delayed write from the page cache (writeback cache mode).</summary>
    public const uint Cache = 1 << 0;

    /// <summary>FUSE_WRITE_LOCKOWNER: lock_owner is valid.</summary>
    public const uint LockOwner = 1 << 1;

    /// <summary>FUSE_WRITE_KILL_SUIDGID: with HandleKillPriv, the writer lacks CAP_FSETID: clear S_ISUID and (if group-executable) S_ISGID.</summary>
    public const uint KillSuidGid = 1 << 2;
}

public struct FuseSetAttr
{
    public FuseSetAttrValid Valid;
    public ulong Fh;
    public ulong Size;
    public long ATime;
    public long MTime;
    public long CTime;
    public uint ATimeNsec;
    public uint MTimeNsec;
    public uint CTimeNsec;
    public uint Mode;
    public uint Uid;
    public uint Gid;
}

public struct FuseStatFs
{
    public ulong Blocks;
    public ulong BlocksFree;
    public ulong BlocksAvailable;
    public ulong Files;
    public ulong FilesFree;
    public uint BlockSize;
    public uint NameLength;
    public uint FragmentSize;
}

/// <summary>RENAME2 flags (renameat2).</summary>
[Flags]
public enum FuseRenameFlags : uint
{
    None = 0,
    NoReplace = 1 << 0,
    Exchange = 1 << 1,
    Whiteout = 1 << 2,
}

/// <summary>Who asked, from the request header, and whether the kernel has since interrupted it.</summary>
public readonly struct FuseRequestContext
{
    public FuseRequestContext(ulong unique, uint uid, uint gid, uint pid, CancellationToken interrupted)
    {
        Unique = unique;
        Uid = uid;
        Gid = gid;
        Pid = pid;
        Interrupted = interrupted;
    }

    public ulong Unique { get; }
    public uint Uid { get; }
    public uint Gid { get; }
    public uint Pid { get; }

    /// <summary>Cancelled when FUSE_INTERRUPT names this request; a filesystem may answer EINTR.</summary>
    public CancellationToken Interrupted { get; }
}

/// <summary>What the kernel offered at INIT and what the session settled on.</summary>
public sealed class FuseConnectionInfo
{
    public uint ProtocolMajor { get; init; }
    public uint ProtocolMinor { get; init; }
    public ulong KernelFlags { get; init; }
    public ulong NegotiatedFlags { get; init; }
    public uint MaxWrite { get; init; }
    public uint MaxReadahead { get; init; }
    public bool PassthroughEnabled { get; init; }

    /// <summary>The minor version the kernel offered (ProtocolMinor is what the session settled on).</summary>
    public uint KernelMinor { get; init; }

    /// <summary>Largest request in pages (max_pages): READ and READDIR sizes are bounded by it.</summary>
    public int MaxPages { get; init; }

    /// <summary>max_stack_depth sent with FUSE_PASSTHROUGH (0 without passthrough).</summary>
    public uint MaxStackDepth { get; init; }

    /// <summary>
    /// Whether the kernel takes ENOSYS from OpenDir as "no handle needed" (FUSE_NO_OPENDIR_SUPPORT).
    /// It then sends no OPENDIR or RELEASEDIR again, reads every directory with handle 0, and keeps
    /// every directory's listing (FOPEN_KEEP_CACHE | FOPEN_CACHE_DIR) until the directory's mtime
    /// changes, the kernel changes the directory itself, or a NOTIFY_INVAL_INODE drops it.
    /// </summary>
    public bool ZeroMessageOpenDir => ((Protocol.FuseInitFlags)KernelFlags).HasFlag(Protocol.FuseInitFlags.NoOpenDirSupport);

    /// <summary>How many reader threads serve the connection.</summary>
    public int ReaderThreads { get; init; }

    /// <summary>
    /// How many io_uring queues (one per possible CPU) serve requests; 0 when everything goes over
    /// /dev/fuse. The reader threads then carry only FORGET and INTERRUPT.
    /// </summary>
    public int IoUringQueues { get; internal set; }
}
