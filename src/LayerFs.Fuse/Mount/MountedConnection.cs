using LayerFs.Fuse.Interop;

namespace LayerFs.Fuse.Mount;

/// <summary>What mounting produced: the session's /dev/fuse fd and how to undo the mount.</summary>
internal sealed class MountedConnection
{
    public MountedConnection(FuseDeviceHandle device, string? mountPoint, bool mountedByUs, bool viaFusermount, uint? connectionId)
    {
        Device = device;
        MountPoint = mountPoint;
        MountedByUs = mountedByUs;
        ViaFusermount = viaFusermount;
        ConnectionId = connectionId;
    }

    public FuseDeviceHandle Device { get; }

    /// <summary>Null when the caller passed /dev/fd/N: someone else mounted it and knows where.</summary>
    public string? MountPoint { get; }

    /// <summary>Stop() unmounts only what this process mounted.</summary>
    public bool MountedByUs { get; }

    /// <summary>Unmount through fusermount3 -u too (an unprivileged mount).</summary>
    public bool ViaFusermount { get; }

    /// <summary>The connection's number under /sys/fs/fuse/connections (the mount's device minor), when known.</summary>
    public uint? ConnectionId { get; }

    /// <summary>The device minor of the FUSE mount at mountPoint, read from the mount table (never from the mount itself).</summary>
    public static uint? FindConnectionId(string mountPoint)
    {
        var entry = MountTable.Find(mountPoint);
        return entry is not null && entry.Major == 0 && entry.FileSystemType.StartsWith("fuse", StringComparison.Ordinal)
            ? entry.Minor
            : null;
    }
}
