using Serilog;

namespace LayerFs.Fuse;

/// <summary>How <see cref="FuseSession.Mount"/> attaches the filesystem.</summary>
public enum FuseMountMethod
{
    /// <summary>mount(2) when privileged, fusermount3 when mount(2) answers EPERM.</summary>
    Auto,

    /// <summary>Only mount(2) (needs CAP_SYS_ADMIN).</summary>
    Direct,

    /// <summary>Only the setuid helper fusermount3 (what an unprivileged user gets).</summary>
    Fusermount,
}

/// <summary>When the kernel asks for READDIRPLUS (see <see cref="FuseMountOptions.ReadDirPlus"/>).</summary>
public enum FuseReadDirPlusMode
{
    /// <summary>DO_READDIRPLUS with READDIRPLUS_AUTO: the kernel decides per listing.</summary>
    Auto,

    /// <summary>DO_READDIRPLUS alone: every listing is a READDIRPLUS.</summary>
    Always,
}

/// <summary>Mount options and session tuning.</summary>
public sealed class FuseMountOptions
{
    private int threads = Environment.ProcessorCount;

    /// <summary>The "source" column of the mount table (fsname).</summary>
    public string FsName { get; set; } = "layerfs";

    /// <summary>The filesystem type shows as fuse.&lt;Subtype&gt;; empty gives plain "fuse".</summary>
    public string Subtype { get; set; } = "layerfs";

    /// <summary>Let users other than the mounting one in (fusermount3 needs user_allow_other in /etc/fuse.conf).</summary>
    public bool AllowOther { get; set; }

    /// <summary>The kernel checks permissions from the mode bits, so the filesystem does not have to.</summary>
    public bool DefaultPermissions { get; set; } = true;

    public bool ReadOnly { get; set; }

    /// <summary>Honour set-user-id bits (mounts are nosuid unless this is set; unprivileged mounts always are).</summary>
    public bool Suid { get; set; }

    /// <summary>Honour device nodes (mounts are nodev unless this is set; unprivileged mounts always are).</summary>
    public bool Dev { get; set; }

    public bool NoExec { get; set; }

    /// <summary>Reader threads, each on its own cloned /dev/fuse fd. Default: one per CPU; at least 1.</summary>
    public int Threads
    {
        get => threads;
        set => threads = Math.Max(1, value);
    }

    /// <summary>Hand regular-file I/O to the kernel when the filesystem offers a backing fd and the kernel allows it.</summary>
    public bool Passthrough { get; set; } = true;

    /// <summary>
    /// Serve requests over FUSE io_uring queues (one per CPU, each answered on its own CPU) when the
    /// kernel offers it: Linux 6.14+ with the fuse module's enable_uring parameter set
    /// (/sys/module/fuse/parameters/enable_uring). Otherwise, or if setting up the rings fails, the
    /// reader threads serve everything over /dev/fuse.
    /// </summary>
    public bool IoUring { get; set; } = true;

    /// <summary>
    /// The filesystem clears set-id bits and security.capability itself (FUSE_HANDLE_KILLPRIV_V2), so
    /// the kernel no longer asks GETATTR before each chown nor GETXATTR security.capability before each
    /// write (it keeps S_NOSEC on inodes it has seen without them). The contract the filesystem takes
    /// on: clear security.capability on every write, truncate and chown of a regular file; clear
    /// S_ISUID, and S_ISGID when group-executable, on a chown (<see cref="FuseSetAttrValid.KillSuidGid"/>
    /// with Uid/Gid), on a truncate and a WRITE when the kernel asks (KillSuidGid with Size;
    /// FUSE_WRITE_KILL_SUIDGID in writeFlags: the caller lacks CAP_FSETID), and on a SETATTR that
    /// changes nothing (Valid without any field): that is how the kernel passes on its file_remove_privs
    /// for a write it does not send (passthrough), whatever the caller's capabilities.
    /// </summary>
    public bool HandleKillPriv { get; set; }

    /// <summary>The largest WRITE (and READ) request; also sizes the per-thread buffers. Clamped to the kernel's max_pages.</summary>
    public uint MaxWrite { get; set; } = 1024 * 1024;

    /// <summary>
    /// Readahead window in bytes; 0 keeps the kernel's (128 KiB). A larger value is applied to the mount's
    /// /sys/class/bdi entry when running as root, so sequential reads come in requests of up to MaxWrite.
    /// </summary>
    public uint MaxReadahead { get; set; }

    /// <summary>
    /// How the kernel lists directories when the filesystem implements ReadDirPlus: Auto
    /// (READDIRPLUS_AUTO: the kernel switches between plain READDIR and READDIRPLUS by whether it
    /// sees the names looked up afterwards) or Always (every listing carries attributes and node
    /// ids, which suits a filesystem that answers READDIRPLUS as cheaply as READDIR: a walk such as
    /// find or ls -l then sends no LOOKUP for the names it got).
    /// </summary>
    public FuseReadDirPlusMode ReadDirPlus { get; set; } = FuseReadDirPlusMode.Auto;

    /// <summary>mount(2), fusermount3, or whichever works.</summary>
    public FuseMountMethod Method { get; set; } = FuseMountMethod.Auto;

    /// <summary>
    /// Where the filesystem's passthrough backing files live. Used to pick max_stack_depth: backing files
    /// on overlayfs (a store inside a container) need depth 2, anything else gets depth 1, which keeps
    /// this mount usable as an overlayfs lower layer. Default: the root filesystem.
    /// </summary>
    public string? PassthroughBackingPath { get; set; }

    /// <summary>max_stack_depth for passthrough (1 or 2); 0 chooses from <see cref="PassthroughBackingPath"/>.</summary>
    public int PassthroughMaxStackDepth { get; set; }

    /// <summary>Ask for FUSE_WRITEBACK_CACHE. Never granted together with passthrough (the kernel refuses the pair).</summary>
    public bool WritebackCache { get; set; }

    /// <summary>
    /// Ask for FUSE_POSIX_ACL: the kernel then checks POSIX ACLs itself (it implies
    /// default_permissions) and caches each inode's ACLs, so that getxattr of
    /// system.posix_acl_access (ls -l asks it of every name) is asked of the filesystem once per
    /// inode instead of on every call. The filesystem must keep mode and ACL consistent on writes.
    /// </summary>
    public bool PosixAcl { get; set; }

    /// <summary>How many background requests (readahead, async direct I/O) the kernel keeps in flight.</summary>
    public ushort MaxBackground { get; set; } = 64;

    /// <summary>Where the session logs; default the global Serilog logger. Requests are logged at Verbose.</summary>
    public ILogger? Logger { get; set; }
}
