namespace LayerFs.Tar;

/// <summary>What <see cref="TarWriter"/> writes for one entry. Names are raw bytes, as Linux keeps them.</summary>
public sealed class TarWriterEntry
{
    public required TarEntryType Type { get; init; }

    /// <summary>Path inside the layer, e.g. "usr/bin/env". A directory gets a trailing '/' if it lacks one.</summary>
    public required byte[] Name { get; init; }

    /// <summary>Symlink or hard-link target; must be empty for other types.</summary>
    public byte[] LinkName { get; init; } = [];

    /// <summary>Permission bits including setuid, setgid and sticky (at most 07777).</summary>
    public uint Mode { get; init; }

    public long Uid { get; init; }
    public long Gid { get; init; }

    /// <summary>Modification time: seconds since the epoch (may be negative) and nanoseconds 0..999999999.</summary>
    public long MTimeSeconds { get; init; }
    public int MTimeNanoseconds { get; init; }

    /// <summary>Bytes of data; only a regular file may have any.</summary>
    public long Size { get; init; }

    /// <summary>Device numbers of a character or block device.</summary>
    public int DevMajor { get; init; }
    public int DevMinor { get; init; }

    /// <summary>Extended attributes, written as SCHILY.xattr.* PAX records sorted by name.</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> Xattrs { get; init; } = [];
}
