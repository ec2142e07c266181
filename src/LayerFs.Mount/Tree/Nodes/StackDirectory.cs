using LayerFs.Fuse;
using LayerFs.Mount.Stack;
using LayerFs.Store.Leases;

namespace LayerFs.Mount.Tree.Nodes;

/// <summary>
/// A directory of a rootfs: the same path's directories of every layer that merge into it, top
/// first (see <see cref="StackLookup"/> for the rules). Numbered by its topmost entry, described
/// by the topmost entry that the tar really holds.
/// </summary>
internal sealed class StackDirectory : Node
{
    private readonly TreeScope _scope;
    private readonly DirLayer[] _layers;
    private readonly long _attributes;

    /// <summary>Whether the attributes' entry has xattrs (if not, getxattr needs no query).</summary>
    private readonly bool _attributesHaveXattrs;

    private StackDirectory(TreeScope scope, StackChild child)
        : base(new NodeKey(scope.Id, child.Top.Id), Attributes.Directory)
    {
        _scope = scope;
        _layers = child.Layers!;
        _attributes = child.Attributes.Id;
        _attributesHaveXattrs = child.Attributes.HasXattrs;
    }

    public override ulong Ino => InodeNumbers.Entry(_scope.InodeNamespace, Key.Id);

    public override LeaseKey? Lease => _scope.Lease;

    private LayerStack Stack => _scope.Stack!;

    /// <param name="scope">A rootfs scope (with a stack).</param>
    public static StackDirectory Root(TreeContext tree, TreeScope scope) =>
        new(scope, StackLookup.Root(tree.Reader, scope.Stack!));

    private Found Make(TreeContext tree, StackChild child, LinkTarget? link = null)
    {
        if (child.IsDirectory)
        {
            var node = new StackDirectory(_scope, child);
            return new Found(node, Attributes.FromEntry(child.Attributes, node.Ino, 1));
        }
        return EntryFile.Make(tree, _scope, link ?? HardLinks.Resolve(tree.Reader, child.Top));
    }

    public override int GetAttr(TreeContext tree, out FuseAttr attr)
    {
        attr = default;
        if (tree.Reader.Tree.Get(_attributes) is not { } row)
            return MoreErrno.ESTALE;
        attr = Attributes.FromEntry(row, Ino, 1);
        return 0;
    }

    public override int Lookup(TreeContext tree, byte[] name, out Found found)
    {
        found = default;
        if (tree.Listings.TryFind(this, name, out var listed))
            return listed is null ? Errno.ENOENT : Materialize(tree, listed, out found);
        var child = StackLookup.Lookup(tree.Reader, _layers, name);
        if (child is null)
            return Errno.ENOENT;
        found = Make(tree, child);
        return 0;
    }

    public override int List(TreeContext tree, out IReadOnlyList<Listed> entries)
    {
        entries = EntryListing.Of(tree, _scope, StackLookup.List(tree.Reader, _layers), _layers.Select(l => l.EntryId));
        return 0;
    }

    public override bool ListingAnswersLookups => true;

    public override int Materialize(TreeContext tree, Listed entry, out Found found)
    {
        if (entry is EntryListed listed)
        {
            found = Make(tree, listed.Child, listed.Link);
            return 0;
        }
        return base.Materialize(tree, entry, out found);
    }

    public override int GetXattr(TreeContext tree, string name, out byte[] value) =>
        EntryXattrs.Get(tree, _attributesHaveXattrs ? _attributes : null, name, out value);

    public override int ListXattr(TreeContext tree, out IReadOnlyList<string> names) =>
        EntryXattrs.List(tree, _attributesHaveXattrs ? _attributes : null, out names);
}
