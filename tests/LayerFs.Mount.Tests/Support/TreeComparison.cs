namespace LayerFs.Mount.Tests.Support;

/// <summary>What to leave out of a comparison, for facts the two trees cannot share.</summary>
public sealed class TreeComparisonOptions
{
    /// <summary>Directory link counts (a real filesystem counts subdirectories; LayerFs reports 1, as btrfs does).</summary>
    public bool CompareDirectoryLinkCounts { get; init; }

    /// <summary>The root's own metadata (the bundle's rootfs directory is made by the unpacker).</summary>
    public bool CompareRoot { get; init; } = true;
}

/// <summary>
/// Compares two trees entry by entry: type, mode (with setuid/setgid/sticky), owner, size, mtime
/// with nanoseconds, device numbers, symlink targets, xattrs, content hashes, and hard-link groups
/// (which names share an inode, and st_nlink). Returns one line per difference: empty means equal.
/// Reusable for any two trees (rootfs vs unpacked image; a view vs the same changes made on disk).
/// </summary>
public static class TreeComparison
{
    public static List<string> Compare(IReadOnlyDictionary<string, TreeEntry> expected, IReadOnlyDictionary<string, TreeEntry> actual, TreeComparisonOptions? options = null)
    {
        options ??= new TreeComparisonOptions();
        var diffs = new List<string>();
        foreach (var (path, want) in expected.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!actual.TryGetValue(path, out var got))
            {
                diffs.Add($"missing: /{want.Display} ({want.Type})");
                continue;
            }
            if (path.Length == 0 && !options.CompareRoot)
                continue;
            void Check<T>(string what, T a, T b)
            {
                if (!EqualityComparer<T>.Default.Equals(a, b))
                    diffs.Add($"/{want.Display}: {what} expected {a}, got {b}");
            }
            Check("type", want.Type, got.Type);
            if (want.Type != got.Type)
                continue;
            Check("mode", Convert.ToString(want.Mode, 8), Convert.ToString(got.Mode, 8));
            Check("uid", want.Uid, got.Uid);
            Check("gid", want.Gid, got.Gid);
            Check("mtime_ns", want.MTimeNs, got.MTimeNs);
            if (want.Type != "d")
            {
                Check("size", want.Size, got.Size);
                Check("nlink", want.NLink, got.NLink);
            }
            else if (options.CompareDirectoryLinkCounts)
            {
                Check("nlink", want.NLink, got.NLink);
            }
            Check("rdev", want.Rdev, got.Rdev);
            Check("symlink target", want.Link, got.Link);
            Check("sha256", want.Sha256, got.Sha256);
            var wantX = string.Join(", ", want.Xattrs.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key}={x.Value}"));
            var gotX = string.Join(", ", got.Xattrs.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key}={x.Value}"));
            Check("xattrs", wantX, gotX);
        }
        foreach (var (path, got) in actual.OrderBy(p => p.Key, StringComparer.Ordinal))
            if (!expected.ContainsKey(path))
                diffs.Add($"unexpected: /{got.Display} ({got.Type})");
        diffs.AddRange(CompareLinkGroups(expected, actual));
        return diffs;
    }

    /// <summary>Every non-directory's group (the names that share its inode) must be the same set in both trees.</summary>
    private static IEnumerable<string> CompareLinkGroups(IReadOnlyDictionary<string, TreeEntry> expected, IReadOnlyDictionary<string, TreeEntry> actual)
    {
        var wantGroups = Groups(expected);
        var gotGroups = Groups(actual);
        foreach (var (path, want) in wantGroups.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!gotGroups.TryGetValue(path, out var got))
                continue;
            if (!want.SetEquals(got))
                yield return $"/{expected[path].Display}: hard-link group expected {{{Names(expected, want)}}}, got {{{Names(actual, got)}}}";
        }
    }

    private static Dictionary<string, HashSet<string>> Groups(IReadOnlyDictionary<string, TreeEntry> tree)
    {
        var byInode = tree.Values.Where(e => e.Type != "d").GroupBy(e => (e.Dev, e.Ino));
        var groups = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var group in byInode)
        {
            var set = new HashSet<string>(group.Select(e => e.Path), StringComparer.Ordinal);
            foreach (var e in group)
                groups[e.Path] = set;
        }
        return groups;
    }

    private static string Names(IReadOnlyDictionary<string, TreeEntry> tree, HashSet<string> paths) =>
        string.Join(", ", paths.Select(p => "/" + tree[p].Display).Order(StringComparer.Ordinal));
}
