using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Protocol;

/// <summary>
/// struct fuse_dirent without its flexible name: the name follows at offset 24 and the record is
/// padded to a multiple of 8 bytes.
/// </summary>
[WireStruct("fuse_dirent")]
[StructLayout(LayoutKind.Sequential)]
internal struct Dirent
{
    public ulong Ino;
    /// <summary>The cookie the kernel passes back to continue after this entry.</summary>
    public ulong Off;
    public uint NameLen;
    /// <summary>(mode &amp; S_IFMT) &gt;&gt; 12, as d_type.</summary>
    public uint Type;
}

/// <summary>struct fuse_direntplus: a lookup answer followed by the dirent (and its name).</summary>
[WireStruct("fuse_direntplus")]
[StructLayout(LayoutKind.Sequential)]
internal struct DirentPlus
{
    public EntryOut EntryOut;
    public Dirent Dirent;
}
