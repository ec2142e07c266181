using System.Text;
using LayerFs.Store.Views;
using LayerFs.Tar;
using Serilog;

namespace LayerFs.Store.Commit;

/// <summary>
/// Turns a view's changes into the entries of an OCI layer tar: an added or changed path becomes
/// its current entry (metadata from lstat of its source, content from its content path), a
/// deleted one a ".wh.NAME" whiteout, an opaque directory its entry followed at once by
/// ".wh..wh..opq" (before any of its children). Members of one hard-link group after the first
/// become tar hard links to it. Entries are written in one canonical order, by path component,
/// whatever order the snapshotter reports them in, so the same changes always give the same bytes.
/// </summary>
internal static class ChangeTarWriter
{
    private static readonly ILogger Log = Serilog.Log.ForContext(typeof(ChangeTarWriter));

    public static void Write(IEnumerable<ViewChange> changes, TarWriter tar)
    {
        var firstOfGroup = new Dictionary<(uint, uint, ulong), byte[]>();
        foreach (var (change, name) in Canonical(changes))
        {
            try
            {
                WriteChange(tar, change, name, firstOfGroup);
            }
            catch (ArgumentException e)
            {
                // What tar cannot express (an xattr name with '=', a device number beyond ustar's fields).
                throw new StoreException($"cannot commit '{Escape.Text(change.Path)}': {e.Message}", e);
            }
        }
    }

    private static void WriteChange(TarWriter tar, ViewChange change, byte[] name, Dictionary<(uint, uint, ulong), byte[]> firstOfGroup)
    {
        if (change.Kind == ViewChangeKind.Deleted)
        {
            tar.WriteWhiteout(name);
            return;
        }
        var source = change.SourcePath!;
        var file = HostFile.Lstat(source);
        if (file.Type is not { } type)
        {
            // As containerd and docker do: a socket is the trace of a running program, not content.
            Log.Warning("commit: skipping socket {Path}", change.Path);
            return;
        }
        if (change.Opaque && type != TarEntryType.Directory)
            throw new StoreException($"view change '{Escape.Text(change.Path)}' is marked opaque but is not a directory");

        var isRoot = name.Length == 0;
        var entryName = isRoot ? "./"u8.ToArray() : name;
        if (isRoot && type != TarEntryType.Directory)
            throw new StoreException("view change for the root is not a directory");
        var xattrs = HostFile.Xattrs(source);

        if (type != TarEntryType.Directory && file.LinkCount > 1)
        {
            if (firstOfGroup.TryGetValue(file.Identity, out var target))
            {
                tar.WriteEntry(Entry(TarEntryType.HardLink, entryName, file, xattrs, target, size: 0));
                return;
            }
            firstOfGroup[file.Identity] = entryName;
        }

        switch (type)
        {
            case TarEntryType.Regular:
                WriteRegular(tar, change, entryName, file, xattrs);
                break;
            case TarEntryType.Symlink:
                tar.WriteEntry(Entry(type, entryName, file, xattrs, HostFile.ReadLink(source), size: 0));
                break;
            default:
                tar.WriteEntry(Entry(type, entryName, file, xattrs, [], size: 0));
                break;
        }
        if (change.Opaque)
            tar.WriteOpaqueWhiteout(name);
    }

    private static TarWriterEntry Entry(TarEntryType type, byte[] name, HostFile file, List<KeyValuePair<string, byte[]>> xattrs, byte[] link, long size) => new()
    {
        Type = type,
        Name = name,
        LinkName = link,
        Mode = file.Mode,
        Uid = file.Uid,
        Gid = file.Gid,
        MTimeSeconds = file.MTimeSeconds,
        MTimeNanoseconds = file.MTimeNanoseconds,
        Size = size,
        DevMajor = type is TarEntryType.CharDevice or TarEntryType.BlockDevice ? file.DevMajor : 0,
        DevMinor = type is TarEntryType.CharDevice or TarEntryType.BlockDevice ? file.DevMinor : 0,
        Xattrs = xattrs,
    };

    /// <summary>The content's size is taken when it is opened; a file that grows or shrinks while being copied is an error.</summary>
    private static void WriteRegular(TarWriter tar, ViewChange change, byte[] name, HostFile file, List<KeyValuePair<string, byte[]>> xattrs)
    {
        if (change.ContentPath is { } contentPath && HostFile.Lstat(contentPath).Type != TarEntryType.Regular)
            throw new StoreException($"the content of '{Escape.Text(change.Path)}' ({Escape.Text(contentPath)}) is not a regular file");
        using var content = OpenContent(change);
        try
        {
            tar.WriteEntry(Entry(TarEntryType.Regular, name, file, xattrs, [], content.Length), content);
        }
        catch (IOException e)
        {
            throw new StoreException($"cannot commit '{Escape.Text(change.Path)}': {e.Message}", e);
        }
    }

    private static FileStream OpenContent(ViewChange change)
    {
        var path = change.ContentPath ?? change.SourcePath!;
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException($"cannot read the content of '{Escape.Text(change.Path)}' ({Escape.Text(path)}): {e.Message}", e);
        }
    }

    /// <summary>
    /// Checks the changes against the contract (relative normalised paths, one change per path,
    /// a source for every added or changed path, nothing below a deleted path) and sorts them by
    /// path component, bytewise, which puts every directory before its children.
    /// </summary>
    private static List<(ViewChange Change, byte[] Name)> Canonical(IEnumerable<ViewChange> changes)
    {
        var list = new List<(ViewChange Change, byte[] Name, byte[][] Parts)>();
        foreach (var change in changes)
        {
            var parts = Split(change.Path);
            if (change.Kind != ViewChangeKind.Deleted && change.SourcePath is null)
                throw new StoreException($"view change '{Escape.Text(change.Path)}' ({change.Kind}) has no source path");
            if (change.Kind == ViewChangeKind.Deleted && parts.Length == 0)
                throw new StoreException("a view cannot delete its root directory");
            list.Add((change, Encoding.UTF8.GetBytes(string.Join('/', change.Path.Split('/', StringSplitOptions.RemoveEmptyEntries))), parts));
        }
        list.Sort((a, b) => CompareParts(a.Parts, b.Parts));
        for (var i = 1; i < list.Count; i++)
            if (CompareParts(list[i - 1].Parts, list[i].Parts) == 0)
                throw new StoreException($"view change '{Escape.Text(list[i].Change.Path)}' is reported twice");

        var deleted = list.Where(e => e.Change.Kind == ViewChangeKind.Deleted).Select(e => Encoding.UTF8.GetString(e.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var (change, _, parts) in list)
            for (var depth = 1; depth < parts.Length && deleted.Count > 0; depth++)
                if (deleted.Contains(string.Join('/', parts.Take(depth).Select(Encoding.UTF8.GetString))))
                    throw new StoreException($"view change '{Escape.Text(change.Path)}' lies below a deleted path");
        return list.Select(e => (e.Change, e.Name)).ToList();
    }

    private static byte[][] Split(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (path.StartsWith('/') || parts.Any(p => p is "." or ".." || p.Contains('\0')))
            throw new StoreException($"view change '{Escape.Text(path)}' is not a relative, normalised path");
        return parts.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    private static int CompareParts(byte[][] a, byte[][] b)
    {
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var c = a[i].AsSpan().SequenceCompareTo(b[i]);
            if (c != 0)
                return c;
        }
        return a.Length.CompareTo(b.Length);
    }
}
