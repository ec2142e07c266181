using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

/// <summary>struct timespec, as utimensat takes it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Timespec
{
    public long Seconds;
    public long Nanoseconds;
}

/// <summary>The leading fields of struct statx (the same on every architecture); the kernel writes 256 bytes.</summary>
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

internal static unsafe partial class Libc
{
    public const uint STATX_BASIC_STATS = 0x7FF;
    public const uint STATX_BTIME = 0x800;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    public static partial int StatxAt(int dirFd, byte* path, int flags, uint mask, Statx* buffer);
}
