using System.Text.Json.Nodes;
using LayerFs.Store;
using LayerFs.Store.Import;
using LayerFs.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit;

namespace LayerFs.Store.Tests;

public sealed class IndexAndSchemaTests
{
    /// <summary>An OCI layout whose index.json points at an image index of two platforms: busybox as amd64, edge as arm64.</summary>
    private static string MultiPlatformLayout(TempDir dir)
    {
        var layout = dir.Combine("multi");
        Directory.CreateDirectory(Path.Combine(layout, "blobs", "sha256"));
        foreach (var source in new[] { "busybox", "edge" })
            foreach (var blob in Directory.GetFiles(Repo.Corpus(source + "/blobs/sha256")))
                File.Copy(blob, Path.Combine(layout, "blobs", "sha256", Path.GetFileName(blob)), overwrite: true);
        File.Copy(Repo.Corpus("edge/oci-layout"), Path.Combine(layout, "oci-layout"));
        JsonNode Descriptor(string source, string arch)
        {
            var d = JsonNode.Parse(File.ReadAllText(Repo.Corpus(source + "/index.json")))!["manifests"]![0]!.DeepClone();
            d.AsObject().Remove("annotations");
            d["platform"] = new JsonObject { ["os"] = "linux", ["architecture"] = arch };
            return d;
        }
        var nested = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(Descriptor("busybox", "amd64"), Descriptor("edge", "arm64")),
        };
        var bytes = System.Text.Encoding.UTF8.GetBytes(nested.ToJsonString());
        var digest = Digest.Of(bytes);
        File.WriteAllBytes(Path.Combine(layout, "blobs", "sha256", digest.Hex), bytes);
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.index.v1+json",
                ["digest"] = digest.ToString(),
                ["size"] = bytes.Length,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = "multi" },
            }),
        };
        File.WriteAllText(Path.Combine(layout, "index.json"), index.ToJsonString());
        return layout;
    }

    [Fact]
    public void An_image_index_picks_this_machines_platform_unless_told_otherwise()
    {
        using var dir = new TempDir();
        var layout = MultiPlatformLayout(dir);
        using var store = ImageStore.Open(dir.Combine("store"));

        store.Import(layout, new ImportOptions { Name = "multi:default" });
        Assert.Single(store.Resolve("multi:default").Layers); // busybox, the amd64 entry

        store.Import(layout, new ImportOptions { Name = "multi:arm", Platform = "linux/arm64" });
        Assert.Equal(5, store.Resolve("multi:arm").Layers.Count); // edge, the arm64 entry

        var error = Assert.Throws<InvalidImageException>(() => store.Import(layout, new ImportOptions { Platform = "linux/s390x" }));
        Assert.Contains("linux/amd64, linux/arm64", error.Message);
    }

    [Fact]
    public void A_write_while_a_mount_reads_the_store_leaves_no_write_ahead_log_for_the_next_mount()
    {
        // A mounted store holds read-only connections, so a writer's is never the last one to close
        // and SQLite would keep its log; the next mount would read the whole log before its first lookup.
        using var dir = new TempDir();
        var root = dir.Combine("store");
        using (var store = ImageStore.Open(root))
            store.Import(Repo.Corpus("busybox"), new ImportOptions { Name = "busybox:latest" });
        var layout = new StoreLayout(root);
        using var mount = LayerFs.Store.Index.StoreDatabase.OpenReadOnly(layout);

        using (var store = ImageStore.Open(root))
            store.Import(Repo.Corpus("edge"), new ImportOptions { Name = "edge:latest" });

        var log = new FileInfo(layout.IndexPath + "-wal");
        Assert.True(!log.Exists || log.Length == 0, $"{log.Length} bytes of write-ahead log left behind");
        using var cmd = mount.CreateCommand();
        cmd.CommandText = "SELECT name FROM tags ORDER BY name";
        using var reader = cmd.ExecuteReader();
        var tags = new List<string>();
        while (reader.Read())
            tags.Add(reader.GetString(0));
        Assert.Equal(["busybox:latest", "edge:latest"], tags);
    }

    [Fact]
    public void A_store_from_a_newer_layerfs_is_refused_with_what_to_do()
    {
        using var dir = new TempDir();
        var root = dir.Combine("store");
        using (var store = ImageStore.Open(root))
            store.Import(Repo.Corpus("busybox"), new ImportOptions());
        using (var db = new SqliteConnection($"Data Source={Path.Combine(root, "index.db")};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "UPDATE meta SET value = '99' WHERE key = 'schema_version'";
            cmd.ExecuteNonQuery();
        }
        var error = Assert.Throws<StoreException>(() => ImageStore.Open(root));
        Assert.Contains("upgrade layerfs", error.Message);
    }

    [Fact]
    public void A_store_of_schema_1_is_migrated_on_open_and_keeps_its_images()
    {
        using var dir = new TempDir();
        var root = dir.Combine("store");
        Digest id;
        using (var store = ImageStore.Open(root))
            id = store.Import(Repo.Corpus("busybox"), new ImportOptions { Name = "old:1" }).Images[0].Id;
        // What layerfs 1 left: no views table, schema_version 1.
        using (var db = new SqliteConnection($"Data Source={Path.Combine(root, "index.db")};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "DROP TABLE views; UPDATE meta SET value = '1' WHERE key = 'schema_version'";
            cmd.ExecuteNonQuery();
        }
        var readOnly = Assert.Throws<StoreException>(() => LayerFs.Store.Index.StoreDatabase.OpenReadOnly(new StoreLayout(root)).Dispose());
        Assert.Contains("to migrate it to", readOnly.Message);

        using (var store = ImageStore.Open(root))
        {
            Assert.Equal(id, store.Resolve("old:1").Id);
            Assert.Empty(store.Views());
        }
        using (var db = new SqliteConnection($"Data Source={Path.Combine(root, "index.db")};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
            Assert.Equal("2", cmd.ExecuteScalar());
        }
    }

    [Fact]
    public void A_new_store_is_private_to_its_owner()
    {
        using var dir = new TempDir();
        var root = dir.Combine("store");
        using (var store = ImageStore.Open(root))
            store.Import(Repo.Corpus("busybox"), new ImportOptions());
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(Private, File.GetUnixFileMode(root));
        foreach (var sub in new[] { "blobs", "objects", "ingest", "views" })
            Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(root, sub)));
    }
}
