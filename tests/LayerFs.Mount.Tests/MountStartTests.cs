using LayerFs.Mount.Tests.Support;
using LayerFs.Store;
using LayerFs.Store.Import;
using LayerFs.Store.Index;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Mount.Tests;

/// <summary>What a mount does to the store before it serves: nothing that grows with the store.</summary>
public sealed class MountStartTests
{
    [Fact]
    public void A_mount_empties_a_write_ahead_log_that_a_writer_had_to_leave_behind()
    {
        // A writer that closes while a reader is inside a transaction cannot empty SQLite's log (nor
        // can one that was killed). Read-only connections cannot either, and the first of them reads
        // the whole log again at every mount: 116 MB, 100 ms cold, after an import of 100k files.
        using var dir = new TempDir("layerfs-wal");
        var root = dir.Combine("store");
        using (var store = ImageStore.Open(root))
            store.Import(Repo.Corpus("busybox"), new ImportOptions { Name = "busybox:latest" });
        var layout = new StoreLayout(root);
        using (var reader = StoreDatabase.OpenReadOnly(layout))
        using (var transaction = reader.BeginTransaction(deferred: true))
        {
            using var read = reader.CreateCommand();
            read.Transaction = transaction;
            read.CommandText = "SELECT COUNT(*) FROM tags";
            read.ExecuteScalar();
            using var store = ImageStore.Open(root);
            store.Import(Repo.Corpus("edge"), new ImportOptions { Name = "edge:latest" });
        }
        var log = new FileInfo(layout.IndexPath + "-wal");
        Assert.True(log.Exists && log.Length > 0, "the writer emptied its log despite the reader");

        using var mount = new InProcessMount(root);
        log.Refresh();
        Assert.True(!log.Exists || log.Length == 0, $"{log.Length} bytes of write-ahead log left after the mount started");
        Assert.Equal(["busybox:latest", "edge:latest"], Directory.GetDirectories(mount.Combine("images")).Select(Path.GetFileName).Order());
    }
}
