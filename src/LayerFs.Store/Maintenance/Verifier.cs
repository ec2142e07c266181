using LayerFs.Store.Content;
using LayerFs.Store.Index;
using LayerFs.Store.Model;
using LayerFs.Store.Objects;
using Microsoft.Data.Sqlite;

namespace LayerFs.Store.Maintenance;

public sealed record VerifyReport(int Images, int Layers, int Blobs, int Objects, IReadOnlyList<string> Problems)
{
    public bool Ok => Problems.Count == 0;
}

/// <summary>
/// `layerfs verify`: re-checks every digest from scratch — the index's integrity, each image's
/// config and manifest blobs, each stored layer blob, each object, and each layer tar rebuilt
/// from the index against its diff_id.
/// </summary>
internal sealed class Verifier
{
    private readonly StoreLayout _layout;
    private readonly SqliteConnection _db;
    private readonly ContentStore _content;
    private readonly ObjectStore _objects;

    public Verifier(StoreLayout layout, SqliteConnection db, ContentStore content, ObjectStore objects)
    {
        _layout = layout;
        _db = db;
        _content = content;
        _objects = objects;
    }

    public VerifyReport Verify(IReadOnlyList<ImageInfo> images, bool wholeStore, IProgress<string>? progress)
    {
        var problems = new List<string>();
        if (wholeStore)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "PRAGMA integrity_check";
            if (cmd.ExecuteScalar() is string s && s != "ok")
                problems.Add($"index: {s}");
        }

        var blobs = new HashSet<Digest>();
        var diffIds = new HashSet<Digest>();
        foreach (var image in images)
        {
            blobs.Add(image.Id);
            blobs.Add(image.ManifestDigest);
            foreach (var layer in image.Layers)
            {
                diffIds.Add(layer.DiffId);
                if (IsStored(layer.BlobDigest))
                    blobs.Add(layer.BlobDigest);
            }
        }
        foreach (var blob in blobs)
        {
            progress?.Report($"blob {blob}");
            if (_content.Check(blob) is { } problem)
                problems.Add(problem);
        }

        var objects = new Dictionary<string, (byte[] Hash, long Size)>(StringComparer.Ordinal);
        foreach (var diffId in diffIds)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT DISTINCT e.object, e.size FROM entries e JOIN layers l ON l.id = e.layer_id WHERE l.diff_id = $d AND e.object IS NOT NULL AND e.kind = $k";
            cmd.Parameters.AddWithValue("$d", diffId.ToString());
            cmd.Parameters.AddWithValue("$k", (int)EntryKind.Regular);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var hash = (byte[])r.GetValue(0);
                objects.TryAdd(Convert.ToHexStringLower(hash), (hash, r.GetInt64(1)));
            }
        }
        foreach (var (hex, (hash, size)) in objects)
        {
            progress?.Report($"object {hex}");
            if (_objects.Check(hash, size) is { } problem)
                problems.Add(problem);
        }

        foreach (var diffId in diffIds)
        {
            progress?.Report($"layer {diffId}");
            try
            {
                using var tar = LayerTar.Load(_layout, _db, diffId);
                using var hasher = new HashingWriteStream(Stream.Null, leaveOpen: false);
                tar.CopyTo(hasher);
                var actual = hasher.Digest;
                if (actual != diffId)
                    problems.Add($"layer {diffId}: its tar rebuilt from the index hashes to {actual}");
            }
            catch (Exception e) when (e is IOException or StoreException or UnauthorizedAccessException)
            {
                problems.Add($"layer {diffId}: {e.Message}");
            }
        }
        return new VerifyReport(images.Count, diffIds.Count, blobs.Count, objects.Count, problems);
    }

    private bool IsStored(Digest blob)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT stored FROM layer_blobs WHERE blob_digest = $b";
        cmd.Parameters.AddWithValue("$b", blob.ToString());
        return cmd.ExecuteScalar() is long stored && stored == 1;
    }
}
