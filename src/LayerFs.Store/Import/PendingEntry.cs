using LayerFs.Store.Model;

namespace LayerFs.Store.Import;

/// <summary>An index entry of a layer being imported, before it has its row id.</summary>
internal sealed class PendingEntry
{
    /// <summary>Index into the layer's entry list; -1 for the root.</summary>
    public int Parent = -1;
    public byte[] Name = [];
    public EntryKind Kind;
    public uint Mode;
    public long Uid;
    public long Gid;
    public long Size;
    public long MTime;
    public int MTimeNs;
    public int DevMajor;
    public int DevMinor;
    public byte[]? Link;
    public byte[]? Object;
    /// <summary>Index of the hard-link group's first member; -1 if none.</summary>
    public int HardLink = -1;
    public EntryFlags Flags;
    public int TarSeq = -1;
    public byte[]? TarRaw;
    public IReadOnlyList<KeyValuePair<string, byte[]>> Xattrs = [];
}

/// <summary>Everything the index needs about one layer, ready to be written in one transaction.</summary>
internal sealed class PendingLayer
{
    public required Digest DiffId { get; init; }
    public required long TarSize { get; init; }
    public required List<PendingEntry> Entries { get; init; }
    public required byte[] Trailer { get; init; }
    public required int RecordCount { get; init; }

    /// <summary>(sha256, size) of every regular-file content the layer holds.</summary>
    public required Dictionary<string, (byte[] Hash, long Size)> Objects { get; init; }
}
