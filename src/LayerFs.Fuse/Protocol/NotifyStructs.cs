using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Protocol;

[WireStruct("fuse_notify_inval_inode_out")]
[StructLayout(LayoutKind.Sequential)]
internal struct NotifyInvalInodeOut
{
    public ulong Ino;
    /// <summary>Start of the page-cache range to drop; negative drops only the cached attributes.</summary>
    public long Off;
    /// <summary>Length of the range; 0 or less means to the end of the file.</summary>
    public long Len;
}

/// <summary>Followed by the name and a NUL.</summary>
[WireStruct("fuse_notify_inval_entry_out")]
[StructLayout(LayoutKind.Sequential)]
internal struct NotifyInvalEntryOut
{
    public ulong Parent;
    public uint NameLen;
    public uint Flags;
}

/// <summary>Followed by the name and a NUL.</summary>
[WireStruct("fuse_notify_delete_out")]
[StructLayout(LayoutKind.Sequential)]
internal struct NotifyDeleteOut
{
    public ulong Parent;
    public ulong Child;
    public uint NameLen;
    public uint Padding;
}
