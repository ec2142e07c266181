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
        var list = new List<Listed>();
        var groups = HardLinks.GroupsUnder(tree.Reader, [Entry]);
        foreach (var row in tree.Reader.Tree.Children(Entry))
        {
            if (row.Kind == EntryKind.Directory)
            {
                list.Add(new DiffListed(row, InodeNumbers.Entry(_scope.InodeNamespace, row.Id), Attributes.Directory, null));
                continue;
            }
            var link = HardLinks.Resolve(tree.Reader, row, groups);
            list.Add(new DiffListed(row, InodeNumbers.Entry(_scope.InodeNamespace, link.GroupId), Attributes.TypeOf(link.Attributes.Kind), link));
        }
        entries = list;
        return 0;
    }

    public override bool ListingAnswersLookups => true;

    public override int Materialize(TreeContext tree, Listed entry, out Found found)
    {
        if (entry is DiffListed listed)
        {
            found = Make(tree, listed.Row, listed.Link);
            return 0;
        }
        return base.Materialize(tree, entry, out found);
    }

    public override int GetXattr(TreeContext tree, string name, out byte[] value) => EntryXattrs.Get(tree, Entry, name, out value);

    public override int ListXattr(TreeContext tree, out IReadOnlyList<string> names) => EntryXattrs.List(tree, Entry, out names);

    private sealed class DiffListed : Listed
    {
        public DiffListed(EntryRow row, ulong ino, uint type, LinkTarget? link) : base(row.Name, ino, type)
        {
            Row = row;
            Link = link;
        }

        public EntryRow Row { get; }

        /// <summary>For a non-directory, what it shows (resolved with the whole listing's groups).</summary>
        public LinkTarget? Link { get; }
    }
}
