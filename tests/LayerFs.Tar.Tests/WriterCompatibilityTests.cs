using System.Text;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Tar.Tests;

/// <summary>
/// A layer written by TarWriter must be understood by the tools that consume layers: GNU tar
/// (lists and extracts it, xattrs included, without a warning) and Go's archive/tar as umoci
/// unpacks it (the same reader docker and containerd use). Both extract as root here, so owners,
/// devices and privileged xattrs are restored and can be compared with what was written.
/// </summary>
public sealed class WriterCompatibilityTests
{
    private static readonly byte[] RawName = [(byte)'r', (byte)'a', (byte)'w', 0xff, 0x80, (byte)'!'];

    /// <summary>The showcase without the year-5138 mtime, which ext4 cannot store.</summary>
    private static List<(TarWriterEntry Entry, byte[]? Content)> Entries() =>
        TarWriterTests.Showcase().Where(e => Encoding.UTF8.GetString(e.Entry.Name) != "future").ToList();

    private static void WriteLayer(string path, List<(TarWriterEntry Entry, byte[]? Content)> entries)
    {
        using var file = File.Create(path);
        using var writer = new TarWriter(file);
        foreach (var (entry, content) in entries)
            writer.WriteEntry(entry, content is null ? null : new MemoryStream(content));
        writer.WriteWhiteout("d/gone"u8);
        writer.Finish();
    }

    [Fact]
    public void Gnu_tar_lists_every_entry_without_complaint()
    {
        using var temp = new TempDir("layerfs-tarw");
        var layer = temp.Combine("layer.tar");
        var entries = Entries();
        WriteLayer(layer, entries);
        var listed = ProcessRunner.Run("tar", ["--quoting-style=literal", "-tvf", layer]).EnsureSuccess();
        Assert.Equal("", listed.Stderr);
        var names = ProcessRunner.Run("tar", ["--quoting-style=literal", "-tf", layer]).EnsureSuccess().Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var expected = entries.Select(e => NameOf(e.Entry)).Append("d/.wh.gone").ToList();
        Assert.Equal(expected.Count, names.Count);
        var raw = entries.FindIndex(e => e.Entry.Name.SequenceEqual(RawName)); // not UTF-8: no string to compare
        for (var i = 0; i < names.Count; i++)
            if (i != raw)
                Assert.Equal(expected[i], names[i]);
    }

    [Fact]
    public void Gnu_tar_extracts_it_with_xattrs()
    {
        using var temp = new TempDir("layerfs-tarw");
        var layer = temp.Combine("layer.tar");
        var root = temp.Combine("rootfs");
        Directory.CreateDirectory(root);
        var entries = Entries();
        WriteLayer(layer, entries);
        // The showcase returns to "d/" after leaving it (as layers may): without --delay-directory-restore
        // GNU tar would set d's mtime on leaving it and then disturb it on return.
        var result = ProcessRunner.Run("tar", ["--xattrs", "--xattrs-include=*", "--numeric-owner", "--delay-directory-restore", "-xpf", layer, "-C", root]).EnsureSuccess();
        // GNU tar remarks on the pre-1970 times (and restores them); anything else would be a complaint about the archive.
        Assert.All(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Contains("implausibly old time stamp", line, StringComparison.Ordinal));
        CheckExtracted(root, entries, symlinkTimes: true, xattrSeen: _ => true);
    }

    [Fact]
    public void Go_archive_tar_unpacks_it_through_umoci()
    {
        using var temp = new TempDir("layerfs-tarw");
        var layer = temp.Combine("layer.tar");
        var entries = Entries();
        WriteLayer(layer, entries);
        var image = temp.Combine("image");
        ProcessRunner.Run("umoci", ["init", "--layout", image]).EnsureSuccess();
        ProcessRunner.Run("umoci", ["new", "--image", image + ":t"]).EnsureSuccess();
        ProcessRunner.Run("umoci", ["raw", "add-layer", "--image", image + ":t", layer]).EnsureSuccess();
        var bundle = temp.Combine("bundle");
        ProcessRunner.Run("umoci", ["unpack", "--image", image + ":t", bundle]).EnsureSuccess();
        var root = Path.Combine(bundle, "rootfs");
        // umoci applies whiteouts instead of extracting them, and keeps symlink times as the kernel set them.
        // Go's archive/tar drops PAX records with empty values (so an empty xattr), and umoci refuses
        // to set trusted.overlay.* (it would forge overlayfs whiteouts): neither is the writer's doing.
        CheckExtracted(root, entries, symlinkTimes: false,
            xattrSeen: x => x.Value.Length > 0 && !x.Key.StartsWith("trusted.overlay.", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(root, "d", ".wh.gone")));
    }

    private static string NameOf(TarWriterEntry entry)
    {
        var name = Encoding.UTF8.GetString(entry.Name);
        return entry.Type == TarEntryType.Directory && !name.EndsWith('/') ? name + "/" : name;
    }

    /// <summary>Compares the extracted tree (listed by find, stat and getfattr) with what was written.</summary>
    private static void CheckExtracted(string root, List<(TarWriterEntry Entry, byte[]? Content)> entries, bool symlinkTimes,
        Func<KeyValuePair<string, byte[]>, bool> xattrSeen)
    {
        var listed = SourceTree.List(root);
        foreach (var (entry, content) in entries)
        {
            if (entry.Name.SequenceEqual(RawName))
                continue; // find's output is decoded as UTF-8; checked by the shell below
            var path = NameOf(entry).TrimEnd('/');
            Assert.True(listed.TryGetValue(path, out var o), $"{path} was not extracted");
            var full = Path.Combine(root, path);
            var expectedType = entry.Type switch
            {
                TarEntryType.Directory => 'd',
                TarEntryType.Symlink => 'l',
                TarEntryType.CharDevice => 'c',
                TarEntryType.BlockDevice => 'b',
                TarEntryType.Fifo => 'p',
                _ => 'f',
            };
            Assert.Equal((path, expectedType), (path, o.Type));
            Assert.True(entry.Mode == o.Mode, $"{path}: mode {Convert.ToString(o.Mode, 8)}, wrote {Convert.ToString(entry.Mode, 8)}");
            Assert.Equal((path, entry.Uid, entry.Gid), (path, o.Uid, o.Gid));
            if (entry.Type != TarEntryType.Symlink || symlinkTimes)
                Assert.Equal((path, entry.MTimeSeconds, entry.MTimeNanoseconds), (path, o.MTimeSeconds, o.MTimeNanoseconds));
            switch (entry.Type)
            {
                case TarEntryType.Regular:
                    Assert.Equal(TarReadAll.Sha256(content ?? []), TarReadAll.Sha256File(full));
                    break;
                case TarEntryType.Symlink:
                    Assert.Equal(Encoding.UTF8.GetString(entry.LinkName), o.LinkTarget);
                    break;
                case TarEntryType.HardLink:
                    var target = Path.Combine(root, Encoding.UTF8.GetString(entry.LinkName));
                    Assert.Equal(Stat("%i", target), Stat("%i", full));
                    break;
                case TarEntryType.CharDevice or TarEntryType.BlockDevice:
                    Assert.Equal($"{entry.DevMajor:x} {entry.DevMinor:x}", Stat("%t %T", full));
                    break;
            }
            var xattrs = Xattrs(full);
            Assert.Equal(entry.Xattrs.Where(xattrSeen).OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key}={Convert.ToHexStringLower(x.Value)}"),
                xattrs.Where(x => !x.StartsWith("security.selinux", StringComparison.Ordinal)));
        }
        // A name that is not UTF-8 is extracted byte for byte.
        ProcessRunner.Shell($"test -f \"$(printf 'raw\\377\\200!')\"", cwd: root).EnsureSuccess();
    }

    private static string Stat(string format, string path) =>
        ProcessRunner.Run("stat", ["-c", format, path]).EnsureSuccess().Stdout.Trim();

    /// <summary>Every extended attribute of a file (not following symlinks), as "name=hex", sorted.</summary>
    private static List<string> Xattrs(string path)
    {
        var output = ProcessRunner.Run("getfattr", ["-h", "-d", "-m", "-", "-e", "hex", "--absolute-names", path]).EnsureSuccess().Stdout;
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .Select(p => p[0] + "=" + (p.Length == 1 ? "" : p[1].StartsWith("0x", StringComparison.Ordinal) ? p[1][2..] : p[1].Trim('"')))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
