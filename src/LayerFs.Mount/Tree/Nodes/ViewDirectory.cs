using System.Text;
using System.Text.Json;
using LayerFs.Fuse;
using LayerFs.Mount.Views;
using LayerFs.Store.Model;

namespace LayerFs.Mount.Tree.Nodes;

/// <summary>
/// views/&lt;name&gt;/: json (name, image id, snapshotter, created) and rootfs/. A userspace view's
/// rootfs is its copy-on-write tree; any other snapshotter's is a symlink to where that
/// snapshotter mounts the view (STORE/views/&lt;name&gt;/rootfs).
/// </summary>
internal sealed class ViewDirectory : GeneratedDirectory
{
    private static readonly byte[] JsonName = "json"u8.ToArray();
    private static readonly byte[] RootfsName = "rootfs"u8.ToArray();

    private readonly ViewInfo _view;

    public ViewDirectory(ViewInfo view) : base(InodeNumbers.Generated($"view:{view.Name}@{view.CreatedAt.ToUnixTimeSeconds()}"))
    {
        _view = view;
    }

    public override TimeSpan EntryTimeout => Timeouts.Views;

    public override TimeSpan AttrTimeout => Timeouts.Views;

    public override bool Immutable => false;

    protected override long MTime(TreeContext tree) => _view.CreatedAt.ToUnixTimeSeconds();

    private bool IsUserspace => _view.Snapshotter == UserspaceSnapshotter.SnapshotterName;

    private byte[] Json() => Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject
    {
        ["name"] = _view.Name,
        ["image"] = _view.ImageId.ToString(),
        ["snapshotter"] = _view.Snapshotter,
        ["created"] = _view.CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
    }.ToJsonString() + "\n");

    private Node? Child(TreeContext tree, ReadOnlySpan<byte> name)
    {
        if (name.SequenceEqual(JsonName))
            return new BytesFileNode($"view-json:{_view.Name}@{_view.CreatedAt.ToUnixTimeSeconds()}", Json(), _view.CreatedAt.ToUnixTimeSeconds());
        if (!name.SequenceEqual(RootfsName))
            return null;
        if (!IsUserspace)
            return new SymlinkNode($"view-rootfs:{_view.Name}@{_view.CreatedAt.ToUnixTimeSeconds()}", Path.Combine(tree.Layout.ViewsDir, _view.Name, "rootfs"), _view.CreatedAt.ToUnixTimeSeconds());
        return tree.Views.Get(tree, _view)?.Root;
    }

    public override int Lookup(TreeContext tree, byte[] name, out Found found)
    {
        found = default;
        var node = Child(tree, name);
        if (node is null)
            return Errno.ENOENT;
        var status = node.GetAttr(tree, out var attr);
        found = status == 0 ? new Found(node, attr) : default;
        return status;
    }

    public override int List(TreeContext tree, out IReadOnlyList<Listed> entries)
    {
        var list = new List<Listed>();
        foreach (var name in new[] { "json", "rootfs" })
            if (Child(tree, Encoding.UTF8.GetBytes(name)) is { } node)
                list.Add(ListedOf(name, node));
        entries = list;
        return 0;
    }
}
