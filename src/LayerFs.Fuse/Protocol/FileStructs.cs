using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Protocol;

[WireStruct("fuse_open_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct OpenIn
{
    public uint Flags;
    public uint OpenFlags;
}

[WireStruct("fuse_create_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct CreateIn
{
    public uint Flags;
    public uint Mode;
    public uint Umask;
    public uint OpenFlags;
}

[WireStruct("fuse_open_out")]
[StructLayout(LayoutKind.Sequential)]
internal struct OpenOut
{
    public ulong Fh;
    public uint OpenFlags;
    /// <summary>With FOPEN_PASSTHROUGH: the id from FUSE_DEV_IOC_BACKING_OPEN (7.40; "padding" before).</summary>
    public int BackingId;
}

[WireStruct("fuse_release_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct ReleaseIn
{
    public ulong Fh;
    public uint Flags;
    public uint ReleaseFlags;
    public ulong LockOwner;
}

[WireStruct("fuse_flush_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct FlushIn
{
    public ulong Fh;
    public uint Unused;
    public uint Padding;
    public ulong LockOwner;
}

[WireStruct("fuse_read_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct ReadIn
{
    public ulong Fh;
    public ulong Offset;
    public uint Size;
    public uint ReadFlags;
    public ulong LockOwner;
    public uint Flags;
    public uint Padding;
}

[WireStruct("fuse_write_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct WriteIn
{
    public ulong Fh;
    public ulong Offset;
    public uint Size;
    public uint WriteFlags;
    public ulong LockOwner;
    public uint Flags;
    public uint Padding;
}

[WireStruct("fuse_write_out")]
[StructLayout(LayoutKind.Sequential)]
internal struct WriteOut
{
    public uint Size;
    public uint Padding;
}

[WireStruct("fuse_fsync_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct FsyncIn
{
    public ulong Fh;
    public uint FsyncFlags;
    public uint Padding;
}

[WireStruct("fuse_fallocate_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct FallocateIn
{
    public ulong Fh;
    public ulong Offset;
    public ulong Length;
    public uint Mode;
    public uint Padding;
}

[WireStruct("fuse_lseek_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct LseekIn
{
    public ulong Fh;
    public ulong Offset;
    public uint Whence;
    public uint Padding;
}

[WireStruct("fuse_lseek_out")]
[StructLayout(LayoutKind.Sequential)]
internal struct LseekOut
{
    public ulong Offset;
}
