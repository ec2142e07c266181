namespace LayerFs.Store.Views;

public enum ViewChangeKind
{
    Added,
    Changed,
    Deleted,
}

/// <summary>
/// One path at which a view differs from its image, as `docker diff` lists it and as a committed
/// layer records it. <see cref="Path"/> is relative to the rootfs, '/'-separated, without a leading
/// slash (raw bytes of non-UTF-8 names are not representable and are reported by the snapshotter as errors).
/// For Added and Changed, <see cref="SourcePath"/> is a host path whose lstat gives the entry as it
/// is now in the view (type, mode, owner, times, device numbers, symlink target, xattrs; two
/// changes with the same (st_dev, st_ino) are one hard-link group), and whose content is read
/// unless <see cref="ContentPath"/> names where the content lives (a metadata-only copy-up keeps
/// reading its lower object). <see cref="Opaque"/>: a directory whose lower contents are all hidden.
/// </summary>
public sealed record ViewChange(string Path, ViewChangeKind Kind, string? SourcePath = null, string? ContentPath = null, bool Opaque = false);

/// <summary>
/// What a snapshotter reports of a view's changes, in path order with parents before children
/// (the order a layer tar needs). A Deleted directory is reported once, not its contents.
/// </summary>
public interface IViewChanges : IDisposable
{
    IEnumerable<ViewChange> Enumerate();
}
