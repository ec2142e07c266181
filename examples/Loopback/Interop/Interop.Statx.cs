using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

/// <summary>struct statx: one layout on every architecture, which is why the loopback uses it instead of stat.</summary>
[StructLayout(LayoutKind.Sequential, Size = 256)]
internal struct Statx
{
    public uint Mask;
    public uint BlkSize;
    public ulong Attributes;
    public uint Nlink;
    public uint Uid;
    public uint Gid;
    public ushort Mode;
    public ushort Spare0;
    public ulong Ino;
    public ulong Size;
    public ulong Blocks;
    public ulong AttributesMask;
    public long AtimeSec;
    public uint AtimeNsec;
    public int AtimeReserved;
    public long BtimeSec;
    public uint BtimeNsec;
    public int BtimeReserved;
    public long CtimeSec;
    public uint CtimeNsec;
    public int CtimeReserved;
    public long MtimeSec;
    public uint MtimeNsec;
    public int MtimeReserved;
    public uint RdevMajor;
    public uint RdevMinor;
    public uint DevMajor;
    public uint DevMinor;
}

internal static partial class Libc
{
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const int AT_REMOVEDIR = 0x200;
    internal const int AT_SYMLINK_FOLLOW = 0x400;
    internal const int AT_EMPTY_PATH = 0x1000;
    internal const int AT_STATX_DONT_SYNC = 0x4000;
    internal const uint STATX_BASIC_STATS = 0x7ff;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    internal static unsafe partial int StatxCall(int dirFd, byte* path, int flags, uint mask, Statx* buffer);
}
