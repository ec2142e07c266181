using LayerFs.Fuse;
using LayerFs.Mount.Stack;
using LayerFs.Store.Leases;
using LayerFs.Store.Model;

namespace LayerFs.Mount.Tree.Nodes;

/// <summary>
/// A directory of a layer's diff/: the layer's own entries exactly as its tar holds them,
/// whiteout files and opaque markers included, nothing stacked.
/// </summary>
internal sealed class DiffDirectory : Node
{
    private readonly TreeScope _scope;

    private DiffDirectory(TreeScope scope, long entry)
        : base(new NodeKey(scope.Id, entry), Attributes.Directory)
    {
        _scope = scope;
    }

    /// <summary>The directory's entry in the layer.</summary>
    private long Entry => Key.Id;

    public override ulong Ino => InodeNumbers.Entry(_scope.InodeNamespace, Key.Id);

    public override LeaseKey? Lease => _scope.Lease;

    /// <param name="scope">A diff scope (no stack).</param>
    public static DiffDirectory Root(TreeScope scope, ChainInfo chain) => new(scope, chain.RootEntry);

    private Found Make(TreeContext tree, EntryRow row, LinkTarget? link = null)
    {
        if (row.Kind == EntryKind.Directory)
        {
            var node = new DiffDirectory(_scope, row.Id);
            return new Found(node, Attributes.FromEntry(row, node.Ino, 1));
        }
        return EntryFile.Make(tree, _scope, link ?? HardLinks.Resolve(tree.Reader, row));
    }

    public override int GetAttr(TreeContext tree, out FuseAttr attr)
    {
        attr = default;
        if (tree.Reader.Tree.Get(Entry) is not { } row)
            return MoreErrno.ESTALE;
        attr = Attributes.FromEntry(row, Ino, 1);
        return 0;
    }

    public override int Lookup(TreeContext tree, byte[] name, out Found found)
    {
        found = default;
        if (tree.Listings.TryFind(this, name, out var listed))
            return listed is null ? Errno.ENOENT : Materialize(tree, listed, out found);
        if (tree.Reader.Tree.Child(Entry, name) is not { } row)
            return Errno.ENOENT;
        found = Make(tree, row);
        return 0;
    }

    public override int List(TreeContext tree, out IReadOnlyList<Listed> entries)
    {
        // A diff/ is a stack of one layer with nothing applied: its entries as they are.
        var children = tree.Reader.Tree.Children(Entry)
            .Select(row => new StackChild(row, 0, row.Kind == EntryKind.Directory ? [new DirLayer(0, row.Id)] : null, row))
            .ToList();
        entries = EntryListing.Of(tree, _scope, children, [Entry]);
        return 0;
    }

    public override bool ListingAnswersLookups => true;

    public override int Materialize(TreeContext tree, Listed entry, out Found found)
    {
        if (entry is EntryListed listed)
        {
            found = Make(tree, listed.Child.Top, listed.Link);
            return 0;
        }
        return base.Materialize(tree, entry, out found);
    }

    public override int GetXattr(TreeContext tree, string name, out byte[] value) => EntryXattrs.Get(tree, Entry, name, out value);

    public override int ListXattr(TreeContext tree, out IReadOnlyList<string> names) => EntryXattrs.List(tree, Entry, out names);
}
