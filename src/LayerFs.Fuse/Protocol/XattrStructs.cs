using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Protocol;

/// <summary>
/// struct fuse_setxattr_in. Only the first 8 bytes (size, flags: FUSE_COMPAT_SETXATTR_IN_SIZE)
/// arrive unless FUSE_SETXATTR_EXT was negotiated, which this binding does not ask for.
/// </summary>
[WireStruct("fuse_setxattr_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct SetXattrIn
{
    public const int CompatSize = 8;

    public uint Size;
    public uint Flags;
    public uint SetxattrFlags;
    public uint Padding;
}

[WireStruct("fuse_getxattr_in")]
[StructLayout(LayoutKind.Sequential)]
internal struct GetXattrIn
{
    public uint Size;
    public uint Padding;
}

[WireStruct("fuse_getxattr_out")]
[StructLayout(LayoutKind.Sequential)]
internal struct GetXattrOut
{
    public uint Size;
    public uint Padding;
}
