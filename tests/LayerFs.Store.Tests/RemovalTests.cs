using LayerFs.Store;
using LayerFs.Store.Import;
using LayerFs.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit;

namespace LayerFs.Store.Tests;

/// <summary>What removing an image must not break: identities handed out before, readers still reading.</summary>
public sealed class RemovalTests
{
    private static long Scalar(string root, string sql)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(root, "index.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Entry_and_layer_ids_of_a_removed_newest_image_are_never_handed_out_again()
    {
        // Entry ids are st_ino and node ids in a mount: a reused id would show an old file's
        // number (and cached attributes) for a new file.
        using var dir = new TempDir();
        var root = dir.Combine("store");
        using var store = ImageStore.Open(root);
        store.Import(Repo.Corpus("busybox"), new ImportOptions());
        var busyboxMaxEntry = Scalar(root, "SELECT MAX(id) FROM entries");
        store.Import(Repo.Corpus("edge"), new ImportOptions());
        var maxEntry = Scalar(root, "SELECT MAX(id) FROM entries");
        var maxLayer = Scalar(root, "SELECT MAX(id) FROM layers");

        store.Remove("edge:latest");
        Assert.Equal(busyboxMaxEntry, Scalar(root, "SELECT MAX(id) FROM entries"));
        store.Import(Repo.Corpus("edge"), new ImportOptions());

        Assert.Equal(0, Scalar(root, $"SELECT COUNT(*) FROM entries WHERE id > {busyboxMaxEntry} AND id <= {maxEntry}"));
        Assert.Equal(0, Scalar(root, $"SELECT COUNT(*) FROM layers WHERE id > 1 AND id <= {maxLayer}"));
        Assert.True(store.Verify(null).Ok);
    }

    [Fact]
    public void An_open_layer_tar_reads_to_its_diff_id_after_its_image_is_removed_and_collected()
    {
        using var dir = new TempDir();
        var root = dir.Combine("store");
        using var store = ImageStore.Open(root);
        store.Import(Repo.Corpus("busybox"), new ImportOptions());
        var diffId = Assert.Single(store.Resolve("busybox:latest").Layers).DiffId;
        int ObjectFiles() => Directory.EnumerateFiles(Path.Combine(root, "objects"), "*", SearchOption.AllDirectories).Count();
        var objects = ObjectFiles();
        Assert.True(objects > 0);

        using (var tar = store.LayerTar(diffId))
        {
            var removed = store.Remove("busybox:latest");
            Assert.NotNull(removed.Deleted);
            Assert.Empty(store.Images());
            // The rows are gone, the pinned layer's objects are not.
            Assert.Equal(objects, ObjectFiles());
            using var sink = new MemoryStream();
            tar.CopyTo(sink);
            Assert.Equal(diffId, Digest.Of(sink.ToArray()));
        }

        // With the layer.tar closed, the next prune takes what the removal left.
        var pruned = store.Prune(dryRun: false);
        Assert.Equal(objects, pruned.Objects.Count);
        Assert.Equal(0, ObjectFiles());
    }
}
