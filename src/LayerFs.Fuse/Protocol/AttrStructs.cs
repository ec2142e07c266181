using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Protocol;

[WireStruct("fuse_attr")]
[StructLayout(LayoutKind.Sequential)]
internal struct Attr
{
    public ulong Ino;
    public ulong Size;
    public ulong Blocks;
    public ulong Atime;
    public ulong Mtime;
    public ulong Ctime;
    public uint AtimeNsec;
    public uint MtimeNsec;
    public uint CtimeNsec;
    public uint Mode;
    public uint Nlink;
    public uint Uid;
    public uint Gid;
    public uint Rdev;
    public uint Blksize;
    public uint Flags;
}

[WireStruct("fuse_entry_out")]
[StructLayout(LayoutKind.Sequential)]
internal struct EntryOut
{
    public ulong NodeId;
    public ulong Generation;
    /// <summary>Cache timeout for the name, seconds (plus EntryValidNsec).</summary>
    public ulong EntryValid;
    /// <summary>Cache timeout for the attributes, seconds (plus AttrValidNsec).</summary>
    public ulong AttrValid;
    public uint EntryValidNsec;
    public uint AttrValidNsec;
    public Attr Attr;
}

[WireStruct("fuse_attr_out")]
[StructLayout(LayoutKind.Sequential)]
internal struct AttrOut
{
    public ulong AttrValid;
    public uint AttrValidNsec;
    public uint Dummy;
    public Attr Attr;
}

[WireStruct("fuse_getattr_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct GetAttrIn
{
    public uint GetattrFlags;
    public uint Dummy;
    public ulong Fh;
}

[WireStruct("fuse_setattr_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct SetAttrIn
{
    public uint Valid;
    public uint Padding;
    public ulong Fh;
    public ulong Size;
    public ulong LockOwner;
    public ulong Atime;
    public ulong Mtime;
    public ulong Ctime;
    public uint AtimeNsec;
    public uint MtimeNsec;
    public uint CtimeNsec;
    public uint Mode;
    public uint Unused4;
    public uint Uid;
    public uint Gid;
    public uint Unused5;
}
