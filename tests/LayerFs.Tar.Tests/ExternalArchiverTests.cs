using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Tar.Tests;

/// <summary>How exactly an archiver keeps mtime.</summary>
public enum TimePrecision
{
    Seconds,       // ustar/GNU/v7 fields: whole seconds, truncated
    Microseconds,  // Python writes PAX mtime from a float
    Nanoseconds,   // GNU tar's PAX mtime
}

/// <summary>
/// Tars written by other archivers (GNU tar in each format, Python's tarfile, busybox tar) from a
/// tree listed by find(1): each must reassemble bit-exact, and every entry must read back as the
/// file system object it came from.
/// </summary>
public sealed class ExternalArchiverTests
{
    private const TreeFeatures Everything = TreeFeatures.Special | TreeFeatures.LongPath | TreeFeatures.LongLink | TreeFeatures.BigId | TreeFeatures.NegativeTime;

    public static TheoryData<string, string, TreeFeatures, TimePrecision> Archivers()
    {
        var data = new TheoryData<string, string, TreeFeatures, TimePrecision>
        {
            // GNU tar: 'L'/'K' long names, base-256 ids and times.
            { "gnu-tar", "gnu", Everything, TimePrecision.Seconds },
            // GNU tar PAX: path/linkpath/uid/mtime records, SCHILY.xattr.
            { "gnu-tar", "posix", Everything | TreeFeatures.Xattr, TimePrecision.Nanoseconds },
            // ustar: the prefix field, and nothing beyond it.
            { "gnu-tar", "ustar", TreeFeatures.Special | TreeFeatures.PrefixPath, TimePrecision.Seconds },
            // v7: names of at most 99 bytes, no devices, no magic; directories by trailing slash.
            { "gnu-tar", "v7", TreeFeatures.None, TimePrecision.Seconds },
            // busybox: GNU magic with 'L'/'K', 8-digit ids without NUL; it clamps negative times, so none.
            { "busybox", "", TreeFeatures.Special | TreeFeatures.LongPath | TreeFeatures.LongLink | TreeFeatures.BigId, TimePrecision.Seconds },
        };
        // Python is optional on the machines LayerFs builds on; where it exists it is tested.
        if (HasPython())
        {
            data.Add("python", "GNU_FORMAT", Everything, TimePrecision.Seconds);
            data.Add("python", "PAX_FORMAT", Everything, TimePrecision.Microseconds);
            data.Add("python", "USTAR_FORMAT", TreeFeatures.Special | TreeFeatures.PrefixPath, TimePrecision.Seconds);
        }
        return data;
    }

    private static bool HasPython() =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, "python3")));

    [Theory]
    [MemberData(nameof(Archivers))]
    public void Archive_reassembles_bit_exact_and_reads_back_as_the_tree(string archiver, string format, TreeFeatures features, TimePrecision precision)
    {
        using var temp = new TempDir("layerfs-tar");
        var root = temp.Combine("root");
        Directory.CreateDirectory(root);
        SourceTree.Create(root, features);
        var expected = SourceTree.List(root);
        var archive = temp.Combine("out.tar");

        var result = archiver switch
        {
            "gnu-tar" => ProcessRunner.Run("tar", [$"--format={format}", .. format == "posix" ? new[] { "--xattrs" } : [], "-C", root, "-cf", archive, "."]),
            "python" => ProcessRunner.Run("python3", ["-c", "import sys, tarfile\nwith tarfile.open(sys.argv[1], 'w', format=getattr(tarfile, sys.argv[2])) as t: t.add(sys.argv[3], arcname='.')", archive, format, root]),
            "busybox" => ProcessRunner.Run("busybox", ["tar", "-cf", archive, "-C", root, "."]),
            _ => throw new ArgumentException(archiver),
        };
        result.EnsureSuccess(); // the tree holds only what the format can store: nothing may be dropped

        ReadResult read;
        using (var f = File.OpenRead(archive))
            read = TarReadAll.Read(f);
        Assert.Equal(TarReadAll.Sha256File(archive), read.ReassemblySha256);
        Assert.Equal(new FileInfo(archive).Length, read.ReassemblyLength);

        var unseen = new HashSet<string>(expected.Keys, StringComparer.Ordinal);
        foreach (var entry in read.Entries)
        {
            var path = Normalise(entry.Name);
            if (path.Length == 0)
            {
                Assert.Equal(TarEntryType.Directory, entry.Entry.Type);
                continue;
            }
            Assert.True(expected.TryGetValue(path, out var source), $"{archiver} {format}: unexpected entry {entry.Name}");
            Assert.True(unseen.Remove(path), $"{archiver} {format}: {path} appears twice");
            CheckEntry(entry, source, Path.Combine(root, path), features, precision);
        }
        Assert.Empty(unseen);
    }

    private static string Normalise(string name)
    {
        if (name.StartsWith("./", StringComparison.Ordinal))
            name = name[2..];
        if (name == ".")
            name = "";
        return name.TrimEnd('/');
    }

    private static void CheckEntry(ReadEntry read, SourceObject source, string fullPath, TreeFeatures features, TimePrecision precision)
    {
        var e = read.Entry;
        var what = source.Path;
        switch (source.Type)
        {
            case 'd':
                Assert.Equal(TarEntryType.Directory, e.Type);
                break;
            case 'l':
                Assert.Equal(TarEntryType.Symlink, e.Type);
                Assert.Equal(source.LinkTarget, read.LinkName);
                break;
            case 'p':
                Assert.Equal(TarEntryType.Fifo, e.Type);
                break;
            case 'c':
                Assert.Equal(TarEntryType.CharDevice, e.Type);
                Assert.Equal(SourceTree.CharDevice, (e.DevMajor, e.DevMinor));
                break;
            case 'b':
                Assert.Equal(TarEntryType.BlockDevice, e.Type);
                Assert.Equal(SourceTree.BlockDevice, (e.DevMajor, e.DevMinor));
                break;
            case 'f' when e.Type == TarEntryType.HardLink:
                // The second name of a hard-linked pair is stored as a link to the first.
                Assert.Contains(what, new[] { "hard1", "hard2" });
                Assert.Equal(what == "hard1" ? "hard2" : "hard1", Normalise(read.LinkName));
                Assert.Equal(0, e.Size);
                break;
            case 'f':
                Assert.Equal(TarEntryType.Regular, e.Type);
                Assert.Equal(source.Size, e.Size);
                Assert.Equal(TarReadAll.Sha256File(fullPath), read.DataSha256);
                break;
            default:
                Assert.Fail($"unexpected source type {source.Type} for {what}");
                break;
        }
        Assert.True(source.Mode == e.Mode, $"{what}: mode {Convert.ToString(e.Mode, 8)}, expected {Convert.ToString(source.Mode, 8)}");
        Assert.True(source.Uid == e.Uid && source.Gid == e.Gid, $"{what}: owner {e.Uid}:{e.Gid}, expected {source.Uid}:{source.Gid}");
        switch (precision)
        {
            case TimePrecision.Nanoseconds:
                Assert.True((source.MTimeSeconds, source.MTimeNanoseconds) == (e.MTimeSeconds, e.MTimeNanoseconds),
                    $"{what}: mtime {e.MTimeSeconds}.{e.MTimeNanoseconds:D9}, expected {source.MTimeSeconds}.{source.MTimeNanoseconds:D9}");
                break;
            case TimePrecision.Microseconds:
                var difference = (Int128)(e.MTimeSeconds - source.MTimeSeconds) * 1_000_000_000 + (e.MTimeNanoseconds - source.MTimeNanoseconds);
                Assert.True(Int128.Abs(difference) < 1000, $"{what}: mtime {e.MTimeSeconds}.{e.MTimeNanoseconds:D9}, expected about {source.MTimeSeconds}.{source.MTimeNanoseconds:D9}");
                break;
            default:
                Assert.True((source.MTimeSeconds, 0) == (e.MTimeSeconds, e.MTimeNanoseconds),
                    $"{what}: mtime {e.MTimeSeconds}.{e.MTimeNanoseconds:D9}, expected {source.MTimeSeconds}");
                break;
        }
        if (features.HasFlag(TreeFeatures.Xattr) && what == "xattr")
        {
            Assert.Equal(SourceTree.Xattrs.Select(x => x.Name).Order(), e.Xattrs.Select(x => x.Key).Order());
            foreach (var (name, value) in SourceTree.Xattrs)
                Assert.Equal(value, e.Xattrs.Single(x => x.Key == name).Value);
        }
        else
        {
            Assert.Empty(e.Xattrs);
        }
    }
}
