namespace LayerFs.Fuse.Protocol;

/// <summary>
/// Version and size constants of the FUSE kernel protocol (include/uapi/linux/fuse.h).
/// These are the raw protocol, NOT libfuse's fuse_common.h (whose capability bits differ).
/// </summary>
internal static class FuseKernel
{
    public const uint Major = 7;

    /// <summary>
    /// The minor version this binding speaks: 7.40 is the first with passthrough (backing ids,
    /// max_stack_depth). Every struct we read or write has its 7.40 size; later minors only add
    /// opcodes and flags we do not ask for.
    /// </summary>
    public const uint OurMinor = 40;

    /// <summary>
    /// The oldest kernel minor we accept: 7.23 (Linux 3.15) has full-size init_out, entry_out,
    /// attr_out and write_in, so no compat truncation is needed anywhere.
    /// </summary>
    public const uint MinimumMinor = 23;

    /// <summary>FUSE_MIN_READ_BUFFER: the kernel refuses smaller reads of /dev/fuse.</summary>
    public const int MinReadBuffer = 8192;

    /// <summary>FUSE_NAME_MAX in the kernel (1024); directory entries longer than this are rejected.</summary>
    public const int NameMax = 1024;

    /// <summary>Interrupt requests carry the interrupted request's unique with this bit set.</summary>
    public const ulong InterruptRequestBit = 1;

    /// <summary>The largest max_pages the kernel accepts when /proc/sys/fs/fuse/max_pages_limit is absent.</summary>
    public const int DefaultMaxPagesLimit = 256;

    /// <summary>FILESYSTEM_MAX_STACK_DEPTH: the deepest a stack of filesystems may be.</summary>
    public const int FilesystemMaxStackDepth = 2;
}
