using System.Security.Cryptography;

namespace LayerFs.TestSupport;

/// <summary>
/// Every file under a store with its size, mode and sha256 (SQLite's -wal and -shm side files
/// excepted: they are scratch that a reader may create or remove). Two equal snapshots mean
/// the store is byte for byte as it was.
/// </summary>
public static class StoreSnapshot
{
    public static SortedDictionary<string, string> Take(string root)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(root))
            return map;
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var rel = Path.GetRelativePath(root, path);
            if (rel.EndsWith("-wal", StringComparison.Ordinal) || rel.EndsWith("-shm", StringComparison.Ordinal))
                continue;
            if (Directory.Exists(path))
            {
                map[rel + "/"] = "dir";
                continue;
            }
            using var f = File.OpenRead(path);
            map[rel] = $"{f.Length} {Convert.ToHexStringLower(SHA256.HashData(f))}";
        }
        return map;
    }

    /// <summary>Lines describing how two snapshots differ (empty when equal).</summary>
    public static List<string> Diff(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after)
    {
        var diff = new List<string>();
        foreach (var (k, v) in before)
            if (!after.TryGetValue(k, out var w))
                diff.Add("removed " + k);
            else if (v != w)
                diff.Add("changed " + k);
        foreach (var k in after.Keys)
            if (!before.ContainsKey(k))
                diff.Add("added " + k);
        return diff;
    }
}
