namespace LayerFs.Tar;

/// <summary>What a tar header says an entry is (typeflag, with the aliases folded).</summary>
public enum TarEntryType
{
    Regular,      // '0', '\0', '7' (contiguous)
    HardLink,     // '1'
    Symlink,      // '2'
    CharDevice,   // '3'
    BlockDevice,  // '4'
    Directory,    // '5'
    Fifo,         // '6'
}

/// <summary>
/// One member of a tar stream, with every PAX and GNU extension already applied.
/// Names are raw bytes as the archive holds them: Linux names need not be UTF-8.
/// </summary>
public sealed class TarEntry
{
    /// <summary>Path as stored (after PAX 'path' / GNU 'L'), without normalisation.</summary>
    public required byte[] Name { get; init; }

    /// <summary>Hard-link or symlink target (after PAX 'linkpath' / GNU 'K'); empty for other types.</summary>
    public required byte[] LinkName { get; init; }

    public required TarEntryType Type { get; init; }

    /// <summary>The raw typeflag byte of the main header.</summary>
    public required byte TypeFlag { get; init; }

    /// <summary>Permission bits including setuid, setgid and sticky (07777); no file-type bits.</summary>
    public required uint Mode { get; init; }

    public required long Uid { get; init; }
    public required long Gid { get; init; }

    /// <summary>Bytes of data that follow the header in the stream (PAX 'size' applied).</summary>
    public required long Size { get; init; }

    /// <summary>Modification time: seconds since the epoch (may be negative) and nanoseconds 0..999999999.</summary>
    public required long MTimeSeconds { get; init; }
    public required int MTimeNanoseconds { get; init; }

    public required int DevMajor { get; init; }
    public required int DevMinor { get; init; }

    /// <summary>Extended attributes from SCHILY.xattr.* records, in archive order.</summary>
    public required IReadOnlyList<KeyValuePair<string, byte[]>> Xattrs { get; init; }

    /// <summary>Every PAX record that applied to this entry (global records first), in archive order.</summary>
    public required IReadOnlyList<KeyValuePair<string, byte[]>> PaxRecords { get; init; }

    /// <summary>
    /// Every byte of the stream between the end of the previous entry's data and the start of
    /// this entry's data: the previous entry's padding, any global or per-entry extension headers
    /// (PAX 'x'/'g', GNU 'L'/'K') with their data, and this entry's own header block. Writing
    /// RawBefore, then Size bytes of data, for every entry, then the reader's Trailer, gives back
    /// the stream byte for byte (this is what tar-split keeps).
    /// </summary>
    public required byte[] RawBefore { get; init; }

    /// <summary>Offset in the (uncompressed) stream of this entry's first data byte.</summary>
    public required long DataOffset { get; init; }
}
