using LayerFs.Store.Index;
using LayerFs.Store.Leases;
using Microsoft.Data.Sqlite;

namespace LayerFs.Store.Maintenance;

/// <summary>What prune removed (or, with --dry-run, would remove), and what leases kept.</summary>
public sealed record PruneReport(
    IReadOnlyList<string> Chains,
    IReadOnlyList<string> Layers,
    IReadOnlyList<string> Blobs,
    IReadOnlyList<string> Objects,
    long BytesFreed,
    bool DryRun)
{
    public static PruneReport Empty { get; } = new([], [], [], [], 0, false);

    /// <summary>Live leases (mounts reading from the store) when the collection ran.</summary>
    public int Leases { get; init; }

    /// <summary>Chains no image uses that were kept because a lease holds them.</summary>
    public int LeasedChains { get; init; }
}

/// <summary>
/// Mark and sweep from the images and the live leases: the chains that images' layers name or
/// a lease holds, with their ancestors; the layers under those chains; the objects those
/// layers' entries hold; the blobs images name or a lease holds. Leases are read first, so a
/// lease taken before a collection starts protects from it (see <see cref="LeaseDirectory"/>).
/// Rows go first, in one transaction; files after, so a crash in between leaves only
/// unreferenced files, which the next prune removes (it also sweeps files no row ever named,
/// e.g. from a killed import). Runs with the store lock held, so no import is half-way through.
/// The objects of a removed layer that a reader has pinned (an open layer.tar, see
/// <see cref="LayerPin"/>) stay on disk until a prune finds the pin gone.
/// </summary>
internal sealed class GarbageCollector
{
    private readonly StoreLayout _layout;
    private readonly SqliteConnection _db;

    public GarbageCollector(StoreLayout layout, SqliteConnection db)
    {
        _layout = layout;
        _db = db;
    }

    public PruneReport Collect(bool dryRun)
    {
        var leases = new LeaseDirectory(_layout).Live(removeDead: !dryRun);
        var parents = ChainParents();
        var used = Strings("SELECT DISTINCT chain_id FROM image_layers");
        var keptByImages = WithAncestors(used, parents);
        var kept = WithAncestors(used.Concat(leases.Chains), parents);
        Exec(null, "CREATE TEMP TABLE IF NOT EXISTS kept_chains (chain_id TEXT PRIMARY KEY) WITHOUT ROWID");
        Exec(null, "DELETE FROM temp.kept_chains");
        try
        {
            using (var tx = _db.BeginTransaction())
            {
                using var insert = _db.CreateCommand();
                insert.Transaction = tx;
                insert.CommandText = "INSERT INTO temp.kept_chains(chain_id) VALUES ($c)";
                var parameter = insert.Parameters.Add("$c", SqliteType.Text);
                foreach (var chain in kept)
                {
                    parameter.Value = chain;
                    insert.ExecuteNonQuery();
                }
                tx.Commit();
            }
            return Sweep(dryRun, leases, kept.Count - keptByImages.Count);
        }
        finally
        {
            Exec(null, "DROP TABLE temp.kept_chains");
        }
    }

    private Dictionary<string, string?> ChainParents()
    {
        var parents = new Dictionary<string, string?>(StringComparer.Ordinal);
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT chain_id, parent FROM chains";
        using var r = cmd.ExecuteReader();
        while (r.Read())
            parents[r.GetString(0)] = r.IsDBNull(1) ? null : r.GetString(1);
        return parents;
    }

    /// <summary>
    /// The chains given (those images use: image_layers lists every position; those leases hold:
    /// only the top of a stack) with all their ancestors, as far as the index has them.
    /// </summary>
    private static HashSet<string> WithAncestors(IEnumerable<string> chains, Dictionary<string, string?> parents)
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in chains)
        {
            var chain = start;
            while (chain is not null && parents.TryGetValue(chain, out var parent) && kept.Add(chain))
                chain = parent;
        }
        return kept;
    }

    private PruneReport Sweep(bool dryRun, LiveLeases leases, int leasedChains)
    {
        var chains = Strings("SELECT chain_id FROM chains WHERE chain_id NOT IN (SELECT chain_id FROM temp.kept_chains)");
        var layers = Strings("""
            SELECT diff_id FROM layers WHERE diff_id NOT IN (
                SELECT c.diff_id FROM chains c JOIN temp.kept_chains k ON k.chain_id = c.chain_id)
            """);
        var referencedBlobs = new HashSet<string>(
            Strings("SELECT digest FROM image_blobs UNION SELECT il.blob_digest FROM image_layers il JOIN layer_blobs lb ON lb.blob_digest = il.blob_digest WHERE lb.stored = 1")
                .Concat(leases.Blobs)
                .Select(d => d[7..]),
            StringComparer.Ordinal);

        long freed = 0;
        var blobFiles = new List<string>();
        if (Directory.Exists(_layout.BlobsDir))
            foreach (var path in Directory.EnumerateFiles(_layout.BlobsDir))
                if (!referencedBlobs.Contains(Path.GetFileName(path)))
                {
                    blobFiles.Add(path);
                    freed += new FileInfo(path).Length;
                }

        // Objects: those an entry of a surviving layer holds are kept.
        var keptObjects = new HashSet<string>(StringComparer.Ordinal);
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = """
                SELECT DISTINCT e.object FROM entries e JOIN layers l ON l.id = e.layer_id
                WHERE e.object IS NOT NULL AND l.diff_id IN (
                    SELECT c.diff_id FROM chains c JOIN temp.kept_chains k ON k.chain_id = c.chain_id)
                """;
            using var r = cmd.ExecuteReader();
            while (r.Read())
                keptObjects.Add(Convert.ToHexStringLower((byte[])r.GetValue(0)));
        }
        var objectFiles = new List<string>();
        foreach (var dir in Directory.Exists(_layout.ObjectsDir) ? Directory.EnumerateDirectories(_layout.ObjectsDir) : [])
            foreach (var path in Directory.EnumerateFiles(dir))
                if (!keptObjects.Contains(Path.GetFileName(path)))
                {
                    objectFiles.Add(path);
                    freed += new FileInfo(path).Length;
                }

        PruneReport Report() =>
            new(chains, layers, blobFiles.Select(p => "sha256:" + Path.GetFileName(p)).ToList(), objectFiles.Select(Path.GetFileName).OfType<string>().ToList(), freed, dryRun)
            {
                Leases = leases.Count,
                LeasedChains = leasedChains,
            };
        if (dryRun)
            return Report();
        var deadLayerObjects = ObjectsOfDeadLayers(keptObjects);

        using (var tx = _db.BeginTransaction())
        {
            Exec(tx, "DELETE FROM chains WHERE chain_id NOT IN (SELECT chain_id FROM temp.kept_chains)");
            Exec(tx, "CREATE TEMP TABLE dead_layers AS SELECT id, diff_id FROM layers WHERE diff_id NOT IN (SELECT diff_id FROM chains)");
            Exec(tx, "DELETE FROM xattrs WHERE entry IN (SELECT e.id FROM entries e JOIN dead_layers d ON d.id = e.layer_id)");
            Exec(tx, "DELETE FROM entries WHERE layer_id IN (SELECT id FROM dead_layers)");
            Exec(tx, "DELETE FROM layer_blobs WHERE diff_id IN (SELECT diff_id FROM dead_layers)");
            Exec(tx, "DELETE FROM layer_blobs WHERE blob_digest NOT IN (SELECT blob_digest FROM image_layers)");
            Exec(tx, "DELETE FROM layers WHERE id IN (SELECT id FROM dead_layers)");
            Exec(tx, "DROP TABLE dead_layers");
            Exec(tx, "DELETE FROM objects WHERE hash NOT IN (SELECT object FROM entries WHERE object IS NOT NULL)");
            // Removed chains disappear from a mounted layers/: tell mounts the index changed.
            if (chains.Count > 0 || layers.Count > 0)
                StoreDatabase.CommitCatalogChange(_db, tx);
            else
                tx.Commit();
        }
        // After the rows are gone: a reader that pins a layer later finds no rows to read.
        var spared = SparedObjects(deadLayerObjects);
        foreach (var path in objectFiles.Where(p => spared.Contains(Path.GetFileName(p))).ToList())
        {
            objectFiles.Remove(path);
            freed -= new FileInfo(path).Length;
        }
        foreach (var path in blobFiles.Concat(objectFiles))
            File.Delete(path);
        return Report();
    }

    /// <summary>The objects, not kept anyway, of each layer about to be removed: layer id → object hexes.</summary>
    private Dictionary<long, List<string>> ObjectsOfDeadLayers(HashSet<string> keptObjects)
    {
        var byLayer = new Dictionary<long, List<string>>();
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            SELECT DISTINCT e.layer_id, e.object FROM entries e JOIN layers l ON l.id = e.layer_id
            WHERE e.object IS NOT NULL AND l.diff_id NOT IN (
                SELECT c.diff_id FROM chains c JOIN temp.kept_chains k ON k.chain_id = c.chain_id)
            """;
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var hex = Convert.ToHexStringLower((byte[])r.GetValue(1));
            if (keptObjects.Contains(hex))
                continue;
            var layer = r.GetInt64(0);
            if (!byLayer.TryGetValue(layer, out var list))
                byLayer[layer] = list = [];
            list.Add(hex);
        }
        return byLayer;
    }

    /// <summary>The objects of the removed layers that some reader pins.</summary>
    private HashSet<string> SparedObjects(Dictionary<long, List<string>> deadLayerObjects)
    {
        var spared = new HashSet<string>(StringComparer.Ordinal);
        // No lock file, no pins: a pin is a lock on it.
        if (deadLayerObjects.Count == 0 || !File.Exists(_layout.LockPath))
            return spared;
        using var lockFile = LayerPin.OpenLockFile(_layout, Interop.Libc.O_RDWR);
        foreach (var (layer, objects) in deadLayerObjects)
            if (LayerPin.IsPinned(lockFile, layer))
                spared.UnionWith(objects);
        return spared;
    }

    private void Exec(SqliteTransaction? tx, string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private List<string> Strings(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read())
            list.Add(r.GetString(0));
        return list;
    }
}
