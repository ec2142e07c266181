namespace LayerFs.Store.Model;

/// <summary>One index entry: a tar record of a layer, or an implicit parent directory.</summary>
public sealed record EntryRow(
    long Id,
    long LayerId,
    long? Parent,
    byte[] Name,
    EntryKind Kind,
    uint Mode,
    uint Uid,
    uint Gid,
    long Size,
    long MTime,
    int MTimeNs,
    int DevMajor,
    int DevMinor,
    byte[]? Link,
    byte[]? Object,
    long? HardLink,
    EntryFlags Flags,
    bool HasXattrs)
{
    public bool IsWhiteout => (Flags & EntryFlags.Whiteout) != 0;
    public bool IsOpaqueMarker => (Flags & EntryFlags.OpaqueMarker) != 0;
    public bool IsOpaque => (Flags & EntryFlags.Opaque) != 0;
    public bool IsImplicit => (Flags & EntryFlags.Implicit) != 0;

    /// <summary>For a whiteout ".wh.NAME": NAME, the lower-layer name it hides.</summary>
    public ReadOnlySpan<byte> HiddenName => IsWhiteout ? Name.AsSpan(4) : default;
}
