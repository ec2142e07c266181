using LayerFs.Store.Model;
using Microsoft.Data.Sqlite;

namespace LayerFs.Store.Maintenance;

public sealed record ImageUsage(Digest Id, IReadOnlyList<string> Tags, long SharedBytes, long UniqueBytes);

/// <summary>
/// `layerfs du`. Per image, the bytes it shares with other images and the bytes only it holds
/// (objects and stored blobs). For the store: what the file contents would take without
/// deduplication (every regular file of every layer) against what the objects take.
/// </summary>
public sealed record DiskUsageReport(
    IReadOnlyList<ImageUsage> Images,
    long ObjectCount,
    long ObjectBytes,
    long BlobCount,
    long BlobBytes,
    long IndexBytes,
    long LogicalFileBytes)
{
    public long DedupSavedBytes => LogicalFileBytes - ObjectBytes;
}

internal static class DiskUsage
{
    public static DiskUsageReport Measure(StoreLayout layout, SqliteConnection db, IReadOnlyList<ImageInfo> images)
    {
        // Which images use each object and blob.
        var users = new Dictionary<string, (long Size, HashSet<Digest> Images)>(StringComparer.Ordinal);
        void Use(string key, long size, Digest image)
        {
            if (!users.TryGetValue(key, out var u))
                users[key] = u = (size, []);
            u.Images.Add(image);
        }

        foreach (var image in images)
        {
            foreach (var blob in new[] { image.Id, image.ManifestDigest })
                if (File.Exists(layout.BlobPath(blob)))
                    Use("b" + blob.Hex, new FileInfo(layout.BlobPath(blob)).Length, image.Id);
            foreach (var layer in image.Layers)
            {
                if (File.Exists(layout.BlobPath(layer.BlobDigest)))
                    Use("b" + layer.BlobDigest.Hex, layer.BlobSize, image.Id);
                using var cmd = db.CreateCommand();
                cmd.CommandText = "SELECT DISTINCT o.hash, o.size FROM entries e JOIN layers l ON l.id = e.layer_id JOIN objects o ON o.hash = e.object WHERE l.diff_id = $d";
                cmd.Parameters.AddWithValue("$d", layer.DiffId.ToString());
                using var r = cmd.ExecuteReader();
                while (r.Read())
                    Use("o" + Convert.ToHexStringLower((byte[])r.GetValue(0)), r.GetInt64(1), image.Id);
            }
        }

        var usage = images.Select(image =>
        {
            long shared = 0, unique = 0;
            foreach (var (size, by) in users.Values)
            {
                if (!by.Contains(image.Id))
                    continue;
                if (by.Count == 1)
                    unique += size;
                else
                    shared += size;
            }
            return new ImageUsage(image.Id, image.Tags, shared, unique);
        }).ToList();

        long Scalar(string sql)
        {
            using var cmd = db.CreateCommand();
            cmd.CommandText = sql;
            return cmd.ExecuteScalar() is long v ? v : 0;
        }

        var blobBytes = 0L;
        var blobCount = 0L;
        if (Directory.Exists(layout.BlobsDir))
            foreach (var f in new DirectoryInfo(layout.BlobsDir).EnumerateFiles())
            {
                blobCount++;
                blobBytes += f.Length;
            }
        var indexBytes = new[] { layout.IndexPath, layout.IndexPath + "-wal" }.Where(File.Exists).Sum(p => new FileInfo(p).Length);
        return new DiskUsageReport(
            usage,
            Scalar("SELECT COUNT(*) FROM objects"),
            Scalar("SELECT COALESCE(SUM(size), 0) FROM objects"),
            blobCount,
            blobBytes,
            indexBytes,
            Scalar($"SELECT COALESCE(SUM(size), 0) FROM entries WHERE kind = {(int)EntryKind.Regular}"));
    }
}
