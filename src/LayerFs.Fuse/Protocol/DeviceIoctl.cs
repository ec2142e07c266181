using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Protocol;

/// <summary>
/// ioctls on /dev/fuse (magic 229). The numbers follow the generic _IOR/_IOW encoding, which
/// x86_64 and arm64 share; the layout test checks them against the header.
/// </summary>
internal static class DeviceIoctl
{
    /// <summary>_IOR(229, 0, uint32_t): attach a fresh /dev/fuse fd to an existing connection.</summary>
    public const uint Clone = 0x8004E500;

    /// <summary>_IOW(229, 1, struct fuse_backing_map): register a backing file, returns its id (7.40).</summary>
    public const uint BackingOpen = 0x4010E501;

    /// <summary>_IOW(229, 2, uint32_t): drop a backing id (7.40).</summary>
    public const uint BackingClose = 0x4004E502;
}

/// <summary>struct fuse_backing_map (7.40): the argument of FUSE_DEV_IOC_BACKING_OPEN.</summary>
[WireStruct("fuse_backing_map")]
[StructLayout(LayoutKind.Sequential)]
internal struct BackingMap
{
    public int Fd;
    /// <summary>Must be 0.</summary>
    public uint Flags;
    /// <summary>Must be 0.</summary>
    public ulong Padding;
}
