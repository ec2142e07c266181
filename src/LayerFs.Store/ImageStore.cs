using LayerFs.Store.Content;
using LayerFs.Store.Import;
using LayerFs.Store.Index;
using LayerFs.Store.Maintenance;
using LayerFs.Store.Model;
using LayerFs.Store.Objects;
using Microsoft.Data.Sqlite;

namespace LayerFs.Store;

/// <summary>
/// The image store: what the CLI and the mount use. Every command that changes the store holds
/// the store lock for its whole duration and changes the index in one transaction.
/// </summary>
public sealed partial class ImageStore : IDisposable
{
    private readonly SqliteConnection _db;

    private ImageStore(StoreLayout layout, SqliteConnection db)
    {
        Layout = layout;
        _db = db;
        Content = new ContentStore(layout);
        Objects = new ObjectStore(layout);
    }

    public StoreLayout Layout { get; }
    public ContentStore Content { get; }
    public ObjectStore Objects { get; }

    /// <summary>Opens (creating it, mode 0700, if needed) the store at root.</summary>
    public static ImageStore Open(string root)
    {
        var layout = new StoreLayout(root);
        Create(layout);
        var db = StoreDatabase.OpenReadWrite(layout);
        return new ImageStore(layout, db);
    }

    /// <summary>
    /// Every directory a command might write into exists before any command runs, so a failed
    /// command that removes the files it added leaves the tree exactly as it was.
    /// </summary>
    private static void Create(StoreLayout layout)
    {
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        if (!Directory.Exists(layout.Root))
            Directory.CreateDirectory(layout.Root, Private);
        else if (File.Exists(layout.IndexPath) || Directory.Exists(layout.ObjectsDir))
            return;
        foreach (var dir in new[] { Path.Combine(layout.Root, "blobs"), layout.BlobsDir, layout.ObjectsDir, layout.IngestDir, layout.ViewsDir, layout.LeasesDir })
            Directory.CreateDirectory(dir, Private);
        for (var i = 0; i < 256; i++)
            Directory.CreateDirectory(Path.Combine(layout.ObjectsDir, i.ToString("x2")), Private);
        File.Open(layout.LockPath, FileMode.OpenOrCreate).Dispose();
    }

    public StoreLock LockExclusive() => StoreLock.Exclusive(Layout);

    /// <summary>Removes ingest files that a killed command left behind. Call with the lock held.</summary>
    private void CleanIngest()
    {
        foreach (var path in Directory.EnumerateFiles(Layout.IngestDir))
            File.Delete(path);
    }

    public ImportResult Import(string path, ImportOptions options)
    {
        using var _ = LockExclusive();
        CleanIngest();
        return new ImageImporter(Layout, _db, Content, Objects).Import(path, options);
    }

    public IReadOnlyList<ImageInfo> Images() => IndexQueries.Images(_db);

    public IReadOnlyList<LayerInfo> Layers() => IndexQueries.Layers(_db);

    public IReadOnlyList<ChainInfo> Chains() => IndexQueries.Chains(_db);

    /// <summary>
    /// NAME[:TAG] (":latest" implied), a full image id (with or without "sha256:"), or a unique
    /// prefix of one. An ambiguous prefix is an error that lists the candidates.
    /// </summary>
    public ImageInfo Resolve(string reference)
    {
        var images = Images();
        if (ImageReference.TryNormalise(reference, out var tag, out _))
        {
            var tagged = images.FirstOrDefault(i => i.Tags.Contains(tag));
            if (tagged is not null)
                return tagged;
        }
        var hex = reference.StartsWith("sha256:", StringComparison.Ordinal) ? reference[7..] : reference;
        if (hex.Length > 0 && hex.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)))
        {
            var matches = images.Where(i => i.Id.Hex.StartsWith(hex, StringComparison.Ordinal)).ToList();
            if (matches.Count == 1)
                return matches[0];
            if (matches.Count > 1)
                throw new StoreException($"'{reference}' is ambiguous: it matches {string.Join(", ", matches.Select(m => m.Id.Hex[..12] + (m.Tags.Count > 0 ? $" ({string.Join(", ", m.Tags)})" : "")))}");
        }
        throw new StoreException($"no image '{Escape.Text(reference)}' in the store (see 'layerfs images')");
    }

    public byte[] ReadConfig(ImageInfo image) => Content.ReadAllVerified(image.Id);

    public byte[] ReadManifest(ImageInfo image) => Content.ReadAllVerified(image.ManifestDigest);

    public void Tag(string reference, string name)
    {
        var normalised = ImageReference.Normalise(name);
        using var _ = LockExclusive();
        var image = Resolve(reference);
        using var tx = _db.BeginTransaction();
        using (var cmd = _db.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT OR REPLACE INTO tags(name, image_id) VALUES ($n, $i)";
            cmd.Parameters.AddWithValue("$n", normalised);
            cmd.Parameters.AddWithValue("$i", image.Id.ToString());
            cmd.ExecuteNonQuery();
        }
        StoreDatabase.CommitCatalogChange(_db, tx);
    }

    /// <summary>
    /// By NAME:TAG, removes that tag, and the image with it if it was its last name; by id, the
    /// image and all its tags. Then removes whatever no remaining image uses.
    /// </summary>
    public RemoveResult Remove(string reference)
    {
        using var storeLock = LockExclusive();
        var image = Resolve(reference);
        var byTag = ImageReference.TryNormalise(reference, out var tag, out _) && image.Tags.Contains(tag);
        var untagged = byTag ? [tag] : image.Tags.ToList();
        var deleteImage = !byTag || image.Tags.Count == 1;

        using (var tx = _db.BeginTransaction())
        {
            void Exec(string sql)
            {
                using var cmd = _db.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = sql;
                cmd.Parameters.AddWithValue("$i", image.Id.ToString());
                cmd.Parameters.AddWithValue("$t", tag);
                cmd.ExecuteNonQuery();
            }
            if (byTag && !deleteImage)
            {
                Exec("DELETE FROM tags WHERE name = $t");
            }
            else
            {
                RefuseWhileViewsUse(image, tx);
                Exec("DELETE FROM tags WHERE image_id = $i");
                Exec("DELETE FROM images WHERE id = $i");
            }
            StoreDatabase.CommitCatalogChange(_db, tx);
        }
        var freed = deleteImage ? new GarbageCollector(Layout, _db).Collect(dryRun: false) : PruneReport.Empty;
        return new RemoveResult(untagged, deleteImage ? image.Id : null, freed);
    }

    /// <summary>Removes blobs, objects, layers and rows that no image references.</summary>
    public PruneReport Prune(bool dryRun)
    {
        using var _ = LockExclusive();
        if (!dryRun)
        {
            CleanIngest();
            SweepOrphanViewDirectories();
        }
        return new GarbageCollector(Layout, _db).Collect(dryRun);
    }

    public VerifyReport Verify(string? reference, IProgress<string>? progress = null)
    {
        var images = reference is null ? Images() : [Resolve(reference)];
        return new Verifier(Layout, _db, Content, Objects).Verify(images, reference is null, progress);
    }

    public DiskUsageReport DiskUsage() => Maintenance.DiskUsage.Measure(Layout, _db, Images());

    /// <summary>The layer's uncompressed tar, rebuilt bit-exact.</summary>
    public LayerTar LayerTar(Digest diffId) => Index.LayerTar.Load(Layout, _db, diffId);

    public void Dispose()
    {
        StoreDatabase.TruncateWriteAheadLog(_db, Layout);
        _db.Dispose();
    }
}

public sealed record RemoveResult(IReadOnlyList<string> Untagged, Digest? Deleted, PruneReport Freed);
