using System.Text;
using LayerFs.Fuse;
using LayerFs.Mount.Views;

namespace LayerFs.Mount.Tree.Nodes;

/// <summary>views/: one directory per writable view; follows the index (view create and rm show at once).</summary>
internal sealed class ViewsDirectory : GeneratedDirectory
{
    public ViewsDirectory() : base(InodeNumbers.Generated("views/"))
    {
    }

    public override TimeSpan AttrTimeout => Timeouts.Views;

    public override TimeSpan NegativeTimeout => Timeouts.CatalogAbsence;

    public override bool Immutable => false;

    public override int Lookup(TreeContext tree, byte[] name, out Found found)
    {
        found = default;
        var text = Encoding.UTF8.GetString(name);
        var view = ViewStates.Rows(tree.Reader).FirstOrDefault(v => v.Name == text);
        return view is null ? Errno.ENOENT : Answer(tree, new ViewDirectory(view), out found);
    }

    public override int List(TreeContext tree, out IReadOnlyList<Listed> entries)
    {
        entries = [.. ViewStates.Rows(tree.Reader).Select(v => ListedOf(v.Name, new ViewDirectory(v)))];
        return 0;
    }
}
