using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Protocol;

[WireStruct("fuse_kstatfs")]
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KStatFs
{
    public ulong Blocks;
    public ulong Bfree;
    public ulong Bavail;
    public ulong Files;
    public ulong Ffree;
    public uint Bsize;
    public uint NameLen;
    public uint Frsize;
    public uint Padding;
    public fixed uint Spare[6];
}

[WireStruct("fuse_statfs_out")]
[StructLayout(LayoutKind.Sequential)]
internal struct StatFsOut
{
    public KStatFs St;
}
