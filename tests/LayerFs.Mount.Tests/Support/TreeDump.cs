using System.Text.Json;
using System.Text.Json.Serialization;
using LayerFs.TestSupport;

namespace LayerFs.Mount.Tests.Support;

/// <summary>One entry of a tree, as lstat, readlink, listxattr and sha256 see it (Tools/tree_dump.py).</summary>
public sealed class TreeEntry
{
    [JsonPropertyName("path")] public string Path { get; init; } = "";
    [JsonPropertyName("display")] public string Display { get; init; } = "";
    [JsonPropertyName("type")] public string Type { get; init; } = "";
    [JsonPropertyName("mode")] public int Mode { get; init; }
    [JsonPropertyName("uid")] public long Uid { get; init; }
    [JsonPropertyName("gid")] public long Gid { get; init; }
    [JsonPropertyName("mtime_ns")] public long MTimeNs { get; init; }
    [JsonPropertyName("ino")] public ulong Ino { get; init; }
    [JsonPropertyName("dev")] public ulong Dev { get; init; }
    [JsonPropertyName("nlink")] public long NLink { get; init; }
    [JsonPropertyName("size")] public long? Size { get; init; }
    [JsonPropertyName("rdev")] public string? Rdev { get; init; }
    [JsonPropertyName("link")] public string? Link { get; init; }
    [JsonPropertyName("sha256")] public string? Sha256 { get; init; }
    [JsonPropertyName("xattrs")] public Dictionary<string, string> Xattrs { get; init; } = [];
}

/// <summary>
/// A whole tree, by path (hex of the raw bytes). Dumped by a Python child process: it walks
/// with byte paths (names need not be UTF-8), and it keeps all file I/O on a mount out of the
/// test process, whose threads include the FUSE daemon's.
/// </summary>
public static class TreeDump
{
    public static Dictionary<string, TreeEntry> Take(string root, TimeSpan? timeout = null)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Tools", "tree_dump.py");
        var result = ProcessRunner.Run("python3", [script, root], timeout ?? TimeSpan.FromMinutes(5)).EnsureSuccess();
        var entries = JsonSerializer.Deserialize<List<TreeEntry>>(result.Stdout) ?? throw new InvalidDataException("empty tree dump");
        return entries.ToDictionary(e => e.Path, StringComparer.Ordinal);
    }
}
