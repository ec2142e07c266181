namespace LayerFs.Store.Model;

/// <summary>What an index entry is. Values are stored in the index: never renumber.</summary>
public enum EntryKind
{
    Directory = 1,
    Regular = 2,
    Symlink = 3,
    /// <summary>A tar hard-link record: another name of the entry in <c>hardlink</c>.</summary>
    HardLink = 4,
    CharDevice = 5,
    BlockDevice = 6,
    Fifo = 7,
}

/// <summary>Markers on entries. Stored in the index: never renumber.</summary>
[Flags]
public enum EntryFlags
{
    None = 0,
    /// <summary>A parent directory the tar never named; it has no tar record and takes the lower layer's metadata when stacked.</summary>
    Implicit = 1,
    /// <summary>A ".wh.NAME" record: hides NAME of the lower layers.</summary>
    Whiteout = 2,
    /// <summary>The ".wh..wh..opq" record itself.</summary>
    OpaqueMarker = 4,
    /// <summary>A directory holding a ".wh..wh..opq" record: the lower layers' children are cut.</summary>
    Opaque = 8,
}
