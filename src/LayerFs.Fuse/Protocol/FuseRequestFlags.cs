namespace LayerFs.Fuse.Protocol;

/// <summary>Small flag fields inside request structs (fuse.h), one class per field family.</summary>
internal static class FuseGetAttrFlags
{
    /// <summary>FUSE_GETATTR_FH: fuse_getattr_in.fh is valid.</summary>
    public const uint Fh = 1 << 0;
}

internal static class FuseFsyncFlags
{
    /// <summary>FUSE_FSYNC_FDATASYNC: only the data, as fdatasync(2).</summary>
    public const uint FdataSync = 1 << 0;
}

internal static class FuseReleaseFlags
{
    public const uint Flush = 1 << 0;
    public const uint FlockUnlock = 1 << 1;
}

internal static class FuseNotifyInvalEntryFlags
{
    /// <summary>FUSE_EXPIRE_ONLY: mark the dentry stale instead of dropping it (needs FUSE_HAS_EXPIRE_ONLY).</summary>
    public const uint ExpireOnly = 1 << 0;
}

/// <summary>FOPEN_* bits that the kernel accepts together with FOPEN_PASSTHROUGH (FOPEN_PASSTHROUGH_MASK in fs/fuse/iomode.c).</summary>
internal static class FuseOpenFlagMasks
{
    public const FuseOpenFlags PassthroughCompatible =
        FuseOpenFlags.Passthrough | FuseOpenFlags.DirectIo | FuseOpenFlags.ParallelDirectWrites | FuseOpenFlags.NoFlush;
}
