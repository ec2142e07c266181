using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Protocol;

[WireStruct("fuse_forget_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct ForgetIn
{
    public ulong Nlookup;
}

[WireStruct("fuse_forget_one")]
[StructLayout(LayoutKind.Sequential)]
internal struct ForgetOne
{
    public ulong NodeId;
    public ulong Nlookup;
}

[WireStruct("fuse_batch_forget_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct BatchForgetIn
{
    public uint Count;
    public uint Dummy;
}

[WireStruct("fuse_mknod_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct MkNodIn
{
    public uint Mode;
    public uint Rdev;
    public uint Umask;
    public uint Padding;
}

[WireStruct("fuse_mkdir_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct MkDirIn
{
    public uint Mode;
    public uint Umask;
}

[WireStruct("fuse_rename_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct RenameIn
{
    public ulong NewDir;
}

[WireStruct("fuse_rename2_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct Rename2In
{
    public ulong NewDir;
    public uint Flags;
    public uint Padding;
}

[WireStruct("fuse_link_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct LinkIn
{
    public ulong OldNodeId;
}

[WireStruct("fuse_access_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct AccessIn
{
    public uint Mask;
    public uint Padding;
}

[WireStruct("fuse_interrupt_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct InterruptIn
{
    public ulong Unique;
}
