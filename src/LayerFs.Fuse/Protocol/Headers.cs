using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Protocol;

/// <summary>struct fuse_in_header: starts every request read from /dev/fuse.</summary>
[WireStruct("fuse_in_header")]
[StructLayout(LayoutKind.Sequential)]
internal struct InHeader
{
    public uint Len;
    public uint Opcode;
    public ulong Unique;
    public ulong NodeId;
    public uint Uid;
    public uint Gid;
    public uint Pid;
    /// <summary>Length of the extension headers at the end of the request, in 8-byte units (7.38).</summary>
    public ushort TotalExtLen;
    public ushort Padding;
}

/// <summary>struct fuse_out_header: starts every reply and notification.</summary>
[WireStruct("fuse_out_header")]
[StructLayout(LayoutKind.Sequential)]
internal struct OutHeader
{
    public uint Len;
    /// <summary>0 or a negative errno in a reply; the positive notify code in a notification.</summary>
    public int Error;
    /// <summary>The request's unique; 0 for a notification.</summary>
    public ulong Unique;
}
