using System.Globalization;
using System.Text.Json;
using LayerFs.Store;
using LayerFs.Store.Import;
using LayerFs.Store.Index;
using LayerFs.Store.Model;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Store.Tests;

/// <summary>
/// The index holds exactly what the layer tars hold, checked against an independent reader
/// (Python's tarfile) record by record: path, type, mode, owner, mtime with nanoseconds, link
/// targets, device numbers, xattrs, and content hashes of the stored objects.
/// </summary>
public sealed class IndexFidelityTests
{
    [Theory]
    [InlineData("edge", "edge:latest")]
    [InlineData("busybox", "busybox:latest")]
    public void Index_matches_the_tar_records(string source, string tag)
    {
        using var dir = new TempDir();
        using var store = ImageStore.Open(dir.Combine("store"));
        store.Import(Repo.Corpus(source), new ImportOptions());
        var image = store.Resolve(tag);
        using var reader = new LayerTreeReader(store.Layout);
        foreach (var layer in image.Layers)
        {
            var tarPath = dir.Combine(layer.DiffId.Hex + ".tar");
            using (var f = File.Create(tarPath))
            using (var layerTar = store.LayerTar(layer.DiffId))
                layerTar.CopyTo(f);
            var expected = ProcessRunner.Run("python3", [Path.Combine(AppContext.BaseDirectory, "Tools", "tar_dump.py"), tarPath], TimeSpan.FromMinutes(2))
                .EnsureSuccess().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => JsonDocument.Parse(line).RootElement)
                .ToList();
            var actual = RecordsOf(store, reader, layer.DiffId);
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
                AssertSame(expected[i], actual[i], store);
        }
    }

    private static List<(string Path, EntryRow Row, List<KeyValuePair<string, byte[]>> Xattrs)> RecordsOf(ImageStore store, LayerTreeReader reader, Digest diffId)
    {
        var layer = store.Layers().Single(l => l.DiffId == diffId);
        // Walk the layer's tree and sort by tar position.
        var rows = new List<(long Seq, string Path, EntryRow Row)>();
        var seqs = SeqOf(store, layer.Id);
        void Walk(long id, string path)
        {
            var row = reader.Get(id)!;
            if (seqs.TryGetValue(id, out var seq))
                rows.Add((seq, path, row));
            foreach (var child in reader.Children(id))
                Walk(child.Id, path.Length == 0 ? Convert.ToHexStringLower(child.Name) : path + "2f" + Convert.ToHexStringLower(child.Name));
        }
        Walk(layer.RootEntry, "");
        return rows.OrderBy(r => r.Seq).Select(r => (r.Path, r.Row, reader.Xattrs(r.Row.Id))).ToList();
    }

    private static Dictionary<long, long> SeqOf(ImageStore store, long layerId)
    {
        using var conn = StoreDatabase.OpenReadOnly(store.Layout);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT id, tar_seq FROM entries WHERE layer_id = $l AND tar_seq IS NOT NULL";
        cmd.Parameters.AddWithValue("$l", layerId);
        using var r = cmd.ExecuteReader();
        var map = new Dictionary<long, long>();
        while (r.Read())
            map[r.GetInt64(0)] = r.GetInt64(1);
        return map;
    }

    private static void AssertSame(JsonElement expected, (string Path, EntryRow Row, List<KeyValuePair<string, byte[]>> Xattrs) actual, ImageStore store)
    {
        var (path, row, xattrs) = actual;
        var where = $"entry {expected.GetProperty("path").GetString()}";
        Assert.True(expected.GetProperty("path").GetString() == path, $"{where}: index path {path}");
        var kind = expected.GetProperty("type").GetString() switch
        {
            "file" => EntryKind.Regular,
            "hardlink" => EntryKind.HardLink,
            "symlink" => EntryKind.Symlink,
            "char" => EntryKind.CharDevice,
            "block" => EntryKind.BlockDevice,
            "dir" => EntryKind.Directory,
            "fifo" => EntryKind.Fifo,
            var other => throw new Xunit.Sdk.XunitException($"{where}: unexpected type {other}"),
        };
        Assert.True(kind == row.Kind, $"{where}: kind {row.Kind}, expected {kind}");
        Assert.True(expected.GetProperty("mode").GetUInt32() == row.Mode, $"{where}: mode {Convert.ToString(row.Mode, 8)}");
        Assert.True(expected.GetProperty("uid").GetInt64() == row.Uid && expected.GetProperty("gid").GetInt64() == row.Gid, $"{where}: owner {row.Uid}:{row.Gid}");
        var mtime = row.MTime.ToString(CultureInfo.InvariantCulture) + "." + row.MTimeNs.ToString("D9", CultureInfo.InvariantCulture);
        if (row.MTime < 0 && row.MTimeNs > 0)
            mtime = "-" + (-(row.MTime + 1)).ToString(CultureInfo.InvariantCulture) + "." + (1_000_000_000 - row.MTimeNs).ToString("D9", CultureInfo.InvariantCulture);
        Assert.True(expected.GetProperty("mtime").GetString() == mtime, $"{where}: mtime {mtime}, expected {expected.GetProperty("mtime").GetString()}");
        var link = row.Kind == EntryKind.Symlink ? Convert.ToHexStringLower(row.Link!)
            : row.Kind == EntryKind.HardLink ? NormalisedLink(row.Link!) : "";
        Assert.True(expected.GetProperty("link").GetString() == link, $"{where}: link {link}");
        var dev = expected.GetProperty("dev");
        Assert.True(dev[0].GetInt32() == row.DevMajor && dev[1].GetInt32() == row.DevMinor, $"{where}: device {row.DevMajor}:{row.DevMinor}");
        var expectedXattrs = expected.GetProperty("xattrs").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        var actualXattrs = xattrs.ToDictionary(x => x.Key, x => (string?)Convert.ToHexStringLower(x.Value));
        Assert.Equal(expectedXattrs.OrderBy(p => p.Key, StringComparer.Ordinal), actualXattrs.OrderBy(p => p.Key, StringComparer.Ordinal));
        if (row.Kind == EntryKind.Regular)
        {
            Assert.True(expected.GetProperty("size").GetInt64() == row.Size, $"{where}: size {row.Size}");
            var sha = expected.GetProperty("sha256").GetString();
            Assert.True(sha == Convert.ToHexStringLower(row.Object!), $"{where}: object {Convert.ToHexStringLower(row.Object!)}");
            Assert.True(store.Objects.Check(row.Object!, row.Size) is null, $"{where}: object missing or corrupt");
        }
    }

    private static string NormalisedLink(byte[] link)
    {
        var parts = System.Text.Encoding.Latin1.GetString(link).Split('/').Where(p => p is not "" and not ".");
        return Convert.ToHexStringLower(System.Text.Encoding.Latin1.GetBytes(string.Join('/', parts)));
    }
}
