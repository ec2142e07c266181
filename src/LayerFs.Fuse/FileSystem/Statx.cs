using System.Runtime.InteropServices;

namespace LayerFs.Fuse;

/// <summary>
/// struct statx, the leading fields (one layout on every architecture; the kernel writes 256
/// bytes). What the binding stats mountpoints with, and what a filesystem that mirrors real files
/// (a loopback) answers LOOKUP and GETATTR from: <see cref="ToFuseAttr"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 256)]
public struct Statx
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

    /// <summary>The attributes as FUSE carries them (rdev in the kernel's new_encode_dev form).</summary>
    public readonly FuseAttr ToFuseAttr() => new()
    {
        Ino = Ino,
        Size = Size,
        Blocks = Blocks,
        ATime = AtimeSec,
        ATimeNsec = AtimeNsec,
        MTime = MtimeSec,
        MTimeNsec = MtimeNsec,
        CTime = CtimeSec,
        CTimeNsec = CtimeNsec,
        Mode = Mode,
        NLink = Nlink,
        Uid = Uid,
        Gid = Gid,
        RDev = (RdevMinor & 0xff) | (RdevMajor << 8) | ((RdevMinor & ~0xffu) << 12),
        BlkSize = BlkSize,
    };
}
