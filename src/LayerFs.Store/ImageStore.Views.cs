using System.Globalization;
using LayerFs.Store.Index;
using LayerFs.Store.Model;
using LayerFs.Store.Views;
using Microsoft.Data.Sqlite;

namespace LayerFs.Store;

/// <summary>Writable views: the index rows; their storage is the snapshotter's.</summary>
public sealed partial class ImageStore
{
    /// <summary>STORE/views/NAME: where a view's snapshotter keeps its per-view state.</summary>
    public string ViewDirectory(string name)
    {
        ViewName.Validate(name);
        return Path.Combine(Layout.ViewsDir, name);
    }

    public IReadOnlyList<ViewInfo> Views()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT name, image_id, snapshotter, created_at FROM views ORDER BY name";
        using var r = cmd.ExecuteReader();
        var views = new List<ViewInfo>();
        while (r.Read())
            views.Add(new ViewInfo(r.GetString(0), Digest.Parse(r.GetString(1)), r.GetString(2), DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(3))));
        return views;
    }

    public ViewInfo View(string name) =>
        Views().FirstOrDefault(v => v.Name == name)
        ?? throw new StoreException($"no view '{Escape.Text(name)}' (see 'layerfs view ls')");

    /// <summary>
    /// Creates view NAME over REF: the snapshotter prepares its storage first, then one transaction
    /// records the view, so a crash in between leaves only storage without a row (swept by prune).
    /// </summary>
    public ViewInfo CreateView(string name, string reference, ISnapshotter snapshotter)
    {
        ViewName.Validate(name);
        snapshotter.CheckAvailable();
        using var storeLock = LockExclusive();
        var image = Resolve(reference);
        if (Views().Any(v => v.Name == name))
            throw new StoreException($"a view named '{name}' exists already (remove it with 'layerfs view rm {name}')");
        var view = new ViewInfo(name, image.Id, snapshotter.Name, DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        snapshotter.Create(this, view);
        try
        {
            using var tx = _db.BeginTransaction();
            using (var cmd = _db.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = "INSERT INTO views(name, image_id, snapshotter, created_at) VALUES ($n, $i, $s, $t)";
                cmd.Parameters.AddWithValue("$n", view.Name);
                cmd.Parameters.AddWithValue("$i", view.ImageId.ToString());
                cmd.Parameters.AddWithValue("$s", view.Snapshotter);
                cmd.Parameters.AddWithValue("$t", view.CreatedAt.ToUnixTimeSeconds());
                cmd.ExecuteNonQuery();
            }
            StoreDatabase.CommitNewGeneration(_db, tx);
        }
        catch
        {
            snapshotter.Remove(this, view);
            throw;
        }
        return view;
    }

    /// <summary>Removes the view's row, then its storage (the row is the commit point).</summary>
    public void RemoveView(string name, Func<string, ISnapshotter> snapshotters)
    {
        using var storeLock = LockExclusive();
        var view = View(name);
        var snapshotter = snapshotters(view.Snapshotter);
        using (var tx = _db.BeginTransaction())
        {
            using (var cmd = _db.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = "DELETE FROM views WHERE name = $n";
                cmd.Parameters.AddWithValue("$n", name);
                cmd.ExecuteNonQuery();
            }
            StoreDatabase.CommitNewGeneration(_db, tx);
        }
        snapshotter.Remove(this, view);
    }

    private void RefuseWhileViewsUse(ImageInfo image, SqliteTransaction tx)
    {
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT name FROM views WHERE image_id = $i ORDER BY name";
        cmd.Parameters.AddWithValue("$i", image.Id.ToString());
        using var r = cmd.ExecuteReader();
        var names = new List<string>();
        while (r.Read())
            names.Add(r.GetString(0));
        if (names.Count > 0)
            throw new StoreException(string.Create(CultureInfo.InvariantCulture,
                $"image {image.Id.Hex[..12]} is used by view{(names.Count > 1 ? "s" : "")} {string.Join(", ", names)}; remove {(names.Count > 1 ? "them" : "it")} first ('layerfs view rm NAME')"));
    }

    /// <summary>
    /// Per-view directories whose row is gone (a crash between row and storage). Lock held. A
    /// directory with anything mounted below it (a devicemapper view's filesystem) is left for its
    /// snapshotter's recovery: deleting recursively would reach into the mounted filesystem.
    /// </summary>
    private void SweepOrphanViewDirectories()
    {
        if (!Directory.Exists(Layout.ViewsDir))
            return;
        var live = Views().Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var mounts = MountPoints.All();
        foreach (var dir in Directory.EnumerateDirectories(Layout.ViewsDir))
            if (!live.Contains(Path.GetFileName(dir)) && !mounts.Any(m => m == dir || m.StartsWith(dir + "/", StringComparison.Ordinal)))
                Directory.Delete(dir, recursive: true);
    }
}
