namespace LayerFs.Examples.Loopback;

/// <summary>
/// One file of the source tree as the kernel knows it, identified by (st_dev, st_ino), which makes all
/// hard links of a file one node. A directory is reached through an O_PATH fd that keeps pointing at it
/// whatever it is renamed to; any other file through the names it is known by (directory node + name),
/// which renames, links and unlinks keep up to date. Keeping fds only for directories is what lets a
/// mount of millions of files live within RLIMIT_NOFILE (passthrough_hp's fd per inode does not).
/// The node lives as long as the kernel holds lookups on it.
/// </summary>
internal sealed class Inode
{
    private Location[] locations = [];

    public Inode(ulong nodeId, int fd, ulong device, ulong inodeNumber, uint fileType)
    {
        NodeId = nodeId;
        Fd = fd;
        Device = device;
        InodeNumber = inodeNumber;
        FileType = fileType;
    }

    public ulong NodeId { get; }

    /// <summary>O_PATH fd of a directory; -1 for every other type.</summary>
    public int Fd { get; }

    public ulong Device { get; }

    public ulong InodeNumber { get; }

    /// <summary>st_mode &amp; S_IFMT.</summary>
    public uint FileType { get; }

    public bool IsDirectory => Fd >= 0;

    public bool IsSymlink => FileType == FileTypes.Symlink;

    /// <summary>Lookups the kernel holds; guarded by the table's lock.</summary>
    public ulong LookupCount { get; set; }

    /// <summary>The names a non-directory is known by. Replaced whole (copy on write), so readers need no lock.</summary>
    public Location[] Locations
    {
        get => Volatile.Read(ref locations);
        set => Volatile.Write(ref locations, value);
    }
}

/// <summary>A name of a file: its directory's node id and the name with a trailing NUL (ready for the *at calls).</summary>
internal sealed record Location(ulong Parent, byte[] NameZ)
{
    public ReadOnlySpan<byte> Name => NameZ.AsSpan(0, NameZ.Length - 1);

    public bool Is(ulong parent, ReadOnlySpan<byte> name) => Parent == parent && Name.SequenceEqual(name);

    public static Location Of(ulong parent, ReadOnlySpan<byte> name)
    {
        var z = new byte[name.Length + 1];
        name.CopyTo(z);
        return new Location(parent, z);
    }
}

internal static class FileTypes
{
    public const uint Mask = 0xF000;
    public const uint Directory = 0x4000;
    public const uint Regular = 0x8000;
    public const uint Symlink = 0xA000;
}
