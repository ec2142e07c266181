using LayerFs.Store.Import;
using Microsoft.Data.Sqlite;

namespace LayerFs.Store.Index;

/// <summary>An image ready to be recorded: its config digest is its id.</summary>
internal sealed record PendingImage(
    Digest Id,
    long ConfigSize,
    Digest ManifestDigest,
    string ManifestMediaType,
    string? Created,
    string? Os,
    string? Architecture,
    IReadOnlyList<PendingImageLayer> Layers,
    IReadOnlyList<string> Tags);

internal sealed record PendingImageLayer(Digest ChainId, Digest DiffId, Digest BlobDigest, string MediaType, long BlobSize, bool BlobStored);

/// <summary>
/// Writes an import into the index in one transaction: new layers with all their entries, the
/// chains, images and tags. Either all of it is visible afterwards or none of it.
/// </summary>
internal static class IndexWriter
{
    public static void WriteImport(SqliteConnection conn, IReadOnlyList<PendingLayer> layers, IReadOnlyList<PendingImage> images)
    {
        using var tx = conn.BeginTransaction();
        foreach (var layer in layers)
            InsertLayer(conn, tx, layer);
        foreach (var image in images)
            InsertImage(conn, tx, image);
        StoreDatabase.CommitCatalogChange(conn, tx);
    }

    /// <summary>
    /// Takes <paramref name="count"/> ids of a table from a counter in meta that only ever grows:
    /// entry ids become st_ino and node ids in a mount, so the ids of a removed layer must never
    /// name another layer's entries (MAX(id) + 1 would hand the newest layer's ids out again
    /// once it is removed). The counter starts, on first use, after the table's largest id, and
    /// never falls behind it (should rows come from elsewhere).
    /// </summary>
    private static long TakeIds(SqliteConnection conn, SqliteTransaction tx, string table, long count)
    {
        var key = $"next_{table}_id";
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"""
            SELECT MAX(COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = $k), 0),
                       COALESCE((SELECT MAX(id) FROM {table}), 0) + 1)
            """;
        cmd.Parameters.AddWithValue("$k", key);
        var first = (long)cmd.ExecuteScalar()!;
        cmd.CommandText = "INSERT OR REPLACE INTO meta(key, value) VALUES ($k, $v)";
        cmd.Parameters.AddWithValue("$v", (first + count).ToString(System.Globalization.CultureInfo.InvariantCulture));
        cmd.ExecuteNonQuery();
        return first;
    }

    private static void InsertLayer(SqliteConnection conn, SqliteTransaction tx, PendingLayer layer)
    {
        using (var exists = conn.CreateCommand())
        {
            exists.Transaction = tx;
            exists.CommandText = "SELECT 1 FROM layers WHERE diff_id = $d";
            exists.Parameters.AddWithValue("$d", layer.DiffId.ToString());
            if (exists.ExecuteScalar() is not null)
                return;
        }

        var layerId = TakeIds(conn, tx, "layers", 1);
        var baseId = TakeIds(conn, tx, "entries", Math.Max(1, layer.Entries.Count));

        using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO layers(id, diff_id, tar_size, entry_count, root_entry, trailer) VALUES ($id, $d, $s, $n, $r, $t)";
            cmd.Parameters.AddWithValue("$id", layerId);
            cmd.Parameters.AddWithValue("$d", layer.DiffId.ToString());
            cmd.Parameters.AddWithValue("$s", layer.TarSize);
            cmd.Parameters.AddWithValue("$n", layer.RecordCount);
            cmd.Parameters.AddWithValue("$r", baseId);
            cmd.Parameters.AddWithValue("$t", layer.Trailer);
            cmd.ExecuteNonQuery();
        }

        using var entry = conn.CreateCommand();
        entry.Transaction = tx;
        entry.CommandText = """
            INSERT INTO entries(id, layer_id, parent, name, kind, mode, uid, gid, size, mtime, mtime_ns, rdev_major, rdev_minor, link, object, hardlink, flags, tar_seq, tar_raw)
            VALUES ($id, $layer, $parent, $name, $kind, $mode, $uid, $gid, $size, $mtime, $ns, $maj, $min, $link, $object, $hardlink, $flags, $seq, $raw)
            """;
        var p = new Dictionary<string, SqliteParameter>();
        foreach (var name in new[] { "$id", "$layer", "$parent", "$name", "$kind", "$mode", "$uid", "$gid", "$size", "$mtime", "$ns", "$maj", "$min", "$link", "$object", "$hardlink", "$flags", "$seq", "$raw" })
            p[name] = entry.Parameters.Add(name, SqliteType.Integer);
        p["$name"].SqliteType = SqliteType.Blob;
        p["$link"].SqliteType = SqliteType.Blob;
        p["$object"].SqliteType = SqliteType.Blob;
        p["$raw"].SqliteType = SqliteType.Blob;
        entry.Prepare();

        using var xattr = conn.CreateCommand();
        xattr.Transaction = tx;
        xattr.CommandText = "INSERT OR REPLACE INTO xattrs(entry, name, value, seq) VALUES ($e, $n, $v, $s)";
        var xe = xattr.Parameters.Add("$e", SqliteType.Integer);
        var xn = xattr.Parameters.Add("$n", SqliteType.Text);
        var xv = xattr.Parameters.Add("$v", SqliteType.Blob);
        var xs = xattr.Parameters.Add("$s", SqliteType.Integer);
        xattr.Prepare();

        for (var i = 0; i < layer.Entries.Count; i++)
        {
            var e = layer.Entries[i];
            var id = baseId + i;
            p["$id"].Value = id;
            p["$layer"].Value = layerId;
            p["$parent"].Value = e.Parent < 0 ? DBNull.Value : baseId + e.Parent;
            p["$name"].Value = e.Name;
            p["$kind"].Value = (int)e.Kind;
            p["$mode"].Value = (long)e.Mode;
            p["$uid"].Value = e.Uid;
            p["$gid"].Value = e.Gid;
            p["$size"].Value = e.Size;
            p["$mtime"].Value = e.MTime;
            p["$ns"].Value = e.MTimeNs;
            p["$maj"].Value = e.DevMajor;
            p["$min"].Value = e.DevMinor;
            p["$link"].Value = (object?)e.Link ?? DBNull.Value;
            p["$object"].Value = (object?)e.Object ?? DBNull.Value;
            p["$hardlink"].Value = e.HardLink < 0 ? DBNull.Value : baseId + e.HardLink;
            p["$flags"].Value = (int)e.Flags;
            p["$seq"].Value = e.TarSeq < 0 ? DBNull.Value : e.TarSeq;
            p["$raw"].Value = (object?)e.TarRaw ?? DBNull.Value;
            entry.ExecuteNonQuery();
            var seq = 0;
            foreach (var (name, value) in e.Xattrs)
            {
                xe.Value = id;
                xn.Value = name;
                xv.Value = value;
                xs.Value = seq++;
                xattr.ExecuteNonQuery();
            }
        }

        using var obj = conn.CreateCommand();
        obj.Transaction = tx;
        obj.CommandText = "INSERT OR IGNORE INTO objects(hash, size) VALUES ($h, $s)";
        var oh = obj.Parameters.Add("$h", SqliteType.Blob);
        var os = obj.Parameters.Add("$s", SqliteType.Integer);
        obj.Prepare();
        foreach (var (hash, size) in layer.Objects.Values)
        {
            oh.Value = hash;
            os.Value = size;
            obj.ExecuteNonQuery();
        }
    }

    private static void InsertImage(SqliteConnection conn, SqliteTransaction tx, PendingImage image)
    {
        void Exec(string sql, params (string Name, object? Value)[] args)
        {
            using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            foreach (var (name, value) in args)
                cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
            cmd.ExecuteNonQuery();
        }

        Digest? parent = null;
        var depth = 0;
        foreach (var layer in image.Layers)
        {
            Exec("INSERT OR IGNORE INTO chains(chain_id, parent, diff_id, depth) VALUES ($c, $p, $d, $n)",
                ("$c", layer.ChainId.ToString()), ("$p", parent?.ToString()), ("$d", layer.DiffId.ToString()), ("$n", depth));
            Exec("INSERT OR IGNORE INTO layer_blobs(blob_digest, diff_id, media_type, size, stored) VALUES ($b, $d, $m, $s, $st)",
                ("$b", layer.BlobDigest.ToString()), ("$d", layer.DiffId.ToString()), ("$m", layer.MediaType), ("$s", layer.BlobSize), ("$st", layer.BlobStored ? 1 : 0));
            parent = layer.ChainId;
            depth++;
        }

        var id = image.Id.ToString();
        Exec("""
            INSERT OR IGNORE INTO images(id, manifest_digest, manifest_media_type, config_size, created, os, architecture, top_chain, imported_at)
            VALUES ($id, $m, $mt, $cs, $c, $os, $a, $top, $t)
            """,
            ("$id", id), ("$m", image.ManifestDigest.ToString()), ("$mt", image.ManifestMediaType), ("$cs", image.ConfigSize),
            ("$c", image.Created), ("$os", image.Os), ("$a", image.Architecture), ("$top", parent?.ToString()),
            ("$t", DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        for (var i = 0; i < image.Layers.Count; i++)
        {
            var l = image.Layers[i];
            Exec("INSERT OR IGNORE INTO image_layers(image_id, position, chain_id, blob_digest, media_type, blob_size) VALUES ($id, $p, $c, $b, $m, $s)",
                ("$id", id), ("$p", i), ("$c", l.ChainId.ToString()), ("$b", l.BlobDigest.ToString()), ("$m", l.MediaType), ("$s", l.BlobSize));
        }
        Exec("INSERT OR IGNORE INTO image_blobs(image_id, digest, role) VALUES ($id, $d, 'config')", ("$id", id), ("$d", id));
        Exec("INSERT OR IGNORE INTO image_blobs(image_id, digest, role) VALUES ($id, $d, 'manifest')", ("$id", id), ("$d", image.ManifestDigest.ToString()));
        foreach (var tag in image.Tags)
            Exec("INSERT OR REPLACE INTO tags(name, image_id) VALUES ($n, $id)", ("$n", tag), ("$id", id));
    }
}
