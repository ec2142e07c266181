using LayerFs.Store.Model;
using Microsoft.Data.Sqlite;

namespace LayerFs.Store.Index;

/// <summary>Read queries over images, tags, layers and chains (not entries: see <see cref="LayerTreeReader"/>).</summary>
internal static class IndexQueries
{
    public static List<ImageInfo> Images(SqliteConnection db)
    {
        var tags = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT name, image_id FROM tags ORDER BY name";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                if (!tags.TryGetValue(r.GetString(1), out var list))
                    tags[r.GetString(1)] = list = [];
                list.Add(r.GetString(0));
            }
        }
        var layers = new Dictionary<string, List<ImageLayerInfo>>(StringComparer.Ordinal);
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = """
                SELECT il.image_id, il.position, il.chain_id, c.diff_id, il.blob_digest, il.media_type, il.blob_size, l.tar_size
                FROM image_layers il JOIN chains c ON c.chain_id = il.chain_id JOIN layers l ON l.diff_id = c.diff_id
                ORDER BY il.image_id, il.position
                """;
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                if (!layers.TryGetValue(r.GetString(0), out var list))
                    layers[r.GetString(0)] = list = [];
                list.Add(new ImageLayerInfo(r.GetInt32(1), Digest.Parse(r.GetString(2)), Digest.Parse(r.GetString(3)), Digest.Parse(r.GetString(4)), r.GetString(5), r.GetInt64(6), r.GetInt64(7)));
            }
        }
        var images = new List<ImageInfo>();
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT id, manifest_digest, manifest_media_type, created, os, architecture, imported_at FROM images ORDER BY imported_at, id";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var id = r.GetString(0);
                images.Add(new ImageInfo(
                    Digest.Parse(id), Digest.Parse(r.GetString(1)), r.GetString(2),
                    r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5),
                    tags.GetValueOrDefault(id) ?? [], layers.GetValueOrDefault(id) ?? [],
                    DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(6))));
            }
        }
        return images;
    }

    public static List<LayerInfo> Layers(SqliteConnection db)
    {
        var chains = new Dictionary<string, List<Digest>>(StringComparer.Ordinal);
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT diff_id, chain_id FROM chains ORDER BY depth, chain_id";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                if (!chains.TryGetValue(r.GetString(0), out var list))
                    chains[r.GetString(0)] = list = [];
                list.Add(Digest.Parse(r.GetString(1)));
            }
        }
        var result = new List<LayerInfo>();
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT id, diff_id, tar_size, entry_count, root_entry FROM layers ORDER BY id";
            using var r = cmd.ExecuteReader();
            while (r.Read())
                result.Add(new LayerInfo(r.GetInt64(0), Digest.Parse(r.GetString(1)), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), chains.GetValueOrDefault(r.GetString(1)) ?? []));
        }
        return result;
    }

    public static List<ChainInfo> Chains(SqliteConnection db)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT c.chain_id, c.parent, c.diff_id, c.depth, l.id, l.root_entry FROM chains c JOIN layers l ON l.diff_id = c.diff_id ORDER BY c.depth, c.chain_id";
        using var r = cmd.ExecuteReader();
        var list = new List<ChainInfo>();
        while (r.Read())
            list.Add(new ChainInfo(Digest.Parse(r.GetString(0)), r.IsDBNull(1) ? null : Digest.Parse(r.GetString(1)), Digest.Parse(r.GetString(2)), r.GetInt32(3), r.GetInt64(4), r.GetInt64(5)));
        return list;
    }

    public const string GenerationQuery = "SELECT CAST(value AS INTEGER) FROM meta WHERE key='generation'";

    public static long Generation(SqliteConnection db)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = GenerationQuery;
        return cmd.ExecuteScalar() is long g ? g : 0;
    }
}
