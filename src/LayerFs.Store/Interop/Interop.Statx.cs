using System.Runtime.InteropServices;

namespace LayerFs.Store.Interop;

/// <summary>The leading fields of struct statx (the same on every architecture); the kernel writes 256 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Size = 256)]
internal struct StatxBuffer
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
    internal const int AT_FDCWD = -100;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const uint STATX_BASIC_STATS = 0x7ff;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static unsafe partial int Statx(int dirFd, string path, int flags, uint mask, StatxBuffer* buffer);
}
