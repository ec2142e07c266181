using LayerFs.Mount.Reading;
using LayerFs.Mount.Tree;
using LayerFs.Store;
using LayerFs.Store.Model;

namespace LayerFs.Mount.Views;

/// <summary>
/// The views of the store as the mount serves them: the index rows (read on every request of
/// views/, which follows the index like images/), and the state of each userspace view opened
/// so far, kept until the mount ends or the view is gone.
/// </summary>
internal sealed class ViewStates : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ViewState> _open = new(StringComparer.Ordinal);

    public static List<ViewInfo> Rows(IndexReader reader)
    {
        using var cmd = reader.Connection.CreateCommand();
        cmd.CommandText = "SELECT name, image_id, snapshotter, created_at FROM views ORDER BY name";
        using var r = cmd.ExecuteReader();
        var views = new List<ViewInfo>();
        while (r.Read())
            views.Add(new ViewInfo(r.GetString(0), Digest.Parse(r.GetString(1)), r.GetString(2), DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(3))));
        return views;
    }

    /// <summary>The state of a userspace view (opened on first use; a view removed and made again gets a new one).</summary>
    public ViewState? Get(TreeContext tree, ViewInfo view)
    {
        lock (_lock)
        {
            if (_open.TryGetValue(view.Name, out var state) && state.Info == view)
                return state;
            var image = tree.Catalog.ImageById(view.ImageId);
            if (image is null)
                return null;
            var stack = image.Layers.Count == 0 ? null : tree.Catalog.StackOf(image.Layers[^1].ChainId.Hex);
            if (image.Layers.Count > 0 && stack is null)
                return null;
            state?.Dispose();
            state = new ViewState(tree, view, stack);
            _open[view.Name] = state;
            return state;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var state in _open.Values)
                state.Dispose();
            _open.Clear();
        }
    }
}
