namespace LayerFs.Store.Views;

/// <summary>
/// A naive comparison of two host trees, as docker's devicemapper diff did: a view's mounted rootfs
/// against its image's rootfs, entry by entry, for snapshotters that cannot tell what changed from
/// their own bookkeeping. Pure host-directory code.
/// <list type="bullet">
/// <item>An entry only in the image is Deleted (a directory once, not its contents); only in the
/// view, Added (a directory with all its contents).</item>
/// <item>An entry in both is Changed when its type, mode, owner, device number, symlink target or
/// xattrs differ; for a non-directory also its size or mtime (to the nanosecond); for a directory
/// its mtime, so adding or removing a child also lists the parent, as `docker diff` does and as a
/// layer needs to restore the directory's times. Atime, ctime and directory sizes are not compared:
/// they differ between filesystems for identical content.</item>
/// <item>Content: where size and mtime agree, a regular file's bytes are compared only when it may
/// have been written: when its view ctime is at or after <c>untouchedBefore</c> (no process can set
/// ctime, so a file last touched before the view could be written is the image's own copy). Without
/// that bound every such file is read. This catches a write that restored the old mtime (tar, rsync
/// -t, touch -r) without reading the whole image for every diff.</item>
/// <item>Hard links: a view entry whose links differ from the image's (a new link to an image file,
/// a link broken by replacing one name) is Changed, and every name of a link group with a reported
/// member is reported, so that a layer made from the changes holds the whole group.</item>
/// <item>The root directory itself is not compared (`docker diff` does not list it either).</item>
/// </list>
/// </summary>
public sealed class TreeComparison
{
    private readonly string _imageRoot;
    private readonly string _viewRoot;
    private readonly long? _untouchedBeforeNs;
    private readonly Dictionary<string, ViewChange> _changes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LinkedPath> _linked = new(StringComparer.Ordinal);

    private TreeComparison(string imageRoot, string viewRoot, DateTimeOffset? untouchedBefore)
    {
        _imageRoot = imageRoot;
        _viewRoot = viewRoot;
        _untouchedBeforeNs = untouchedBefore is { } t ? (t - DateTimeOffset.UnixEpoch).Ticks * 100 : null;
    }

    /// <summary>The view's changes, parents before children (see <see cref="IViewChanges"/>).</summary>
    public static IReadOnlyList<ViewChange> Compare(string imageRoot, string viewRoot, DateTimeOffset? untouchedBefore = null)
    {
        var comparison = new TreeComparison(Path.GetFullPath(imageRoot), Path.GetFullPath(viewRoot), untouchedBefore);
        comparison.CompareDirectory("");
        comparison.ReportChangedLinks();
        var changes = comparison._changes.Values.ToList();
        changes.Sort((a, b) => ComparePaths(a.Path, b.Path));
        return changes;
    }

    /// <summary>Component by component, so that a directory always precedes its contents.</summary>
    public static int ComparePaths(string a, string b)
    {
        var i = 0;
        while (true)
        {
            var aEnd = a.IndexOf('/', i);
            var bEnd = b.IndexOf('/', i);
            var aPart = a.AsSpan(i, (aEnd < 0 ? a.Length : aEnd) - i);
            var bPart = b.AsSpan(i, (bEnd < 0 ? b.Length : bEnd) - i);
            var order = aPart.SequenceCompareTo(bPart);
            if (order != 0)
                return order;
            if (aEnd < 0 || bEnd < 0 || aEnd != bEnd)
                return (aEnd < 0 ? 0 : 1) - (bEnd < 0 ? 0 : 1);
            i = aEnd + 1;
        }
    }

    private string ImagePath(string rel) => rel.Length == 0 ? _imageRoot : Path.Join(_imageRoot, rel);

    private string ViewPath(string rel) => rel.Length == 0 ? _viewRoot : Path.Join(_viewRoot, rel);

    private static string Child(string dir, string name) => dir.Length == 0 ? name : dir + "/" + name;

    private static List<string> Names(string dir)
    {
        var names = Directory.EnumerateFileSystemEntries(dir).Select(p => HostEntry.Checked(Path.GetFileName(p), dir)).ToList();
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private void CompareDirectory(string rel)
    {
        var imageNames = Names(ImagePath(rel));
        var viewNames = Names(ViewPath(rel));
        int i = 0, v = 0;
        while (i < imageNames.Count || v < viewNames.Count)
        {
            var order = i == imageNames.Count ? 1 : v == viewNames.Count ? -1 : string.CompareOrdinal(imageNames[i], viewNames[v]);
            if (order < 0)
                Report(Child(rel, imageNames[i++]), ViewChangeKind.Deleted);
            else if (order > 0)
                AddTree(Child(rel, viewNames[v++]));
            else
            {
                CompareEntry(Child(rel, imageNames[i]));
                i++;
                v++;
            }
        }
    }

    private void AddTree(string rel)
    {
        var entry = HostEntry.Lstat(ViewPath(rel));
        Report(rel, ViewChangeKind.Added);
        Track(rel, null, entry);
        if (entry.IsDirectory)
            foreach (var name in Names(entry.Path))
                AddTree(Child(rel, name));
    }

    private void CompareEntry(string rel)
    {
        var image = HostEntry.Lstat(ImagePath(rel));
        var view = HostEntry.Lstat(ViewPath(rel));
        Track(rel, image, view);
        if (image.Type != view.Type)
        {
            // The view's entry replaces the image's, contents included: nothing below is compared.
            Report(rel, ViewChangeKind.Changed);
            if (view.IsDirectory)
                foreach (var name in Names(view.Path))
                    AddTree(Child(rel, name));
            return;
        }
        if (Differs(image, view))
            Report(rel, ViewChangeKind.Changed);
        if (view.IsDirectory)
            CompareDirectory(rel);
    }

    private bool Differs(HostEntry image, HostEntry view)
    {
        if (image.Mode != view.Mode || image.Uid != view.Uid || image.Gid != view.Gid || image.MtimeNs != view.MtimeNs)
            return true;
        if (!image.IsDirectory && image.Size != view.Size)
            return true;
        if (image.IsDevice && image.Rdev != view.Rdev)
            return true;
        if (image.IsSymlink && image.LinkTarget() != view.LinkTarget())
            return true;
        if (!SameXattrs(image.Xattrs(), view.Xattrs()))
            return true;
        return image.IsRegular && MayHaveBeenWritten(view) && !SameContent(image.Path, view.Path);
    }

    private bool MayHaveBeenWritten(HostEntry view) => _untouchedBeforeNs is not { } bound || view.CtimeNs >= bound;

    private static bool SameXattrs(SortedDictionary<string, byte[]> a, SortedDictionary<string, byte[]> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var value) && value.AsSpan().SequenceEqual(kv.Value));

    private static bool SameContent(string a, string b)
    {
        const int Chunk = 1 << 16;
        using var fa = new FileStream(a, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        using var fb = new FileStream(b, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var ba = new byte[Chunk];
        var bb = new byte[Chunk];
        while (true)
        {
            var na = fa.ReadAtLeast(ba, Chunk, throwOnEndOfStream: false);
            var nb = fb.ReadAtLeast(bb, Chunk, throwOnEndOfStream: false);
            if (na != nb || !ba.AsSpan(0, na).SequenceEqual(bb.AsSpan(0, nb)))
                return false;
            if (na < Chunk)
                return true;
        }
    }

    private void Report(string rel, ViewChangeKind kind)
    {
        if (_changes.ContainsKey(rel))
            return;
        _changes[rel] = new ViewChange(rel, kind, kind == ViewChangeKind.Deleted ? null : ViewPath(rel));
    }

    /// <summary>Remembers the inodes of non-directories that have more than one name on either side.</summary>
    private void Track(string rel, HostEntry? image, HostEntry view)
    {
        if (view.IsDirectory || (view.Nlink < 2 && (image is null || image.Nlink < 2)))
            return;
        _linked[rel] = new LinkedPath(image is { IsDirectory: false } ? image.Inode : null, view.Inode);
    }

    private void ReportChangedLinks()
    {
        var viewGroups = _linked.GroupBy(kv => kv.Value.ViewInode).ToDictionary(g => g.Key, g => g.Select(kv => kv.Key).ToList());
        var imageGroups = _linked.Where(kv => kv.Value.ImageInode is not null)
            .GroupBy(kv => kv.Value.ImageInode!.Value).ToDictionary(g => g.Key, g => g.Select(kv => kv.Key).ToList());
        foreach (var (path, inodes) in _linked)
        {
            if (inodes.ImageInode is not { } imageInode)
                continue; // Added already
            var linkedInView = viewGroups[inodes.ViewInode].Any(q => q != path && _linked[q].ImageInode is { } other && other != imageInode);
            var linkedInImage = imageGroups[imageInode].Any(q => q != path && _linked[q].ViewInode != inodes.ViewInode);
            if (linkedInView || linkedInImage)
                Report(path, ViewChangeKind.Changed);
        }
        foreach (var group in viewGroups.Values.Where(g => g.Count > 1 && g.Any(_changes.ContainsKey)))
            foreach (var path in group)
                Report(path, _linked[path].ImageInode is null ? ViewChangeKind.Added : ViewChangeKind.Changed);
    }

    private readonly record struct LinkedPath(ulong? ImageInode, ulong ViewInode);
}
