using LayerFs.Fuse;
using LayerFs.Mount.Stack;
using LayerFs.Store.Leases;
using LayerFs.Store.Model;

namespace LayerFs.Mount.Tree.Nodes;

/// <summary>
/// A non-directory of a layer (regular file, symlink, device, fifo), in a rootfs or a diff/,
/// numbered and described by its hard-link group's first member (itself, if it has no other
/// names). A regular file reads from its object, which the kernel can serve by passthrough.
/// The most numerous node by far, so it holds little besides the base's fields: its scope, and
/// whether its entry may have xattrs; the entry it shows is its key's id.
/// </summary>
internal sealed class EntryFile : Node
{
    private readonly TreeScope _scope;

    /// <summary>False when the index says the entry has none: getxattr then needs no query.</summary>
    private readonly bool _mayHaveXattrs;

    private EntryFile(TreeScope scope, LinkTarget link)
        : base(new NodeKey(scope.Id, link.GroupId), Attributes.TypeOf(link.Attributes.Kind))
    {
        _scope = scope;
        // A hard link whose first member's row was missing shows that member's id: ask the index.
        _mayHaveXattrs = link.Attributes.HasXattrs || link.Attributes.Id != link.GroupId;
    }

    public override ulong Ino => InodeNumbers.Entry(_scope.InodeNamespace, Key.Id);

    public override LeaseKey? Lease => _scope.Lease;

    public override bool Shared => false;

    /// <summary>The group's first member: the entry whose attributes, target and content every name shows.</summary>
    private long Entry => Key.Id;

    /// <summary>The node for a link target, and its attributes as a lookup answers them.</summary>
    public static Found Make(TreeContext tree, TreeScope scope, LinkTarget link)
    {
        var node = new EntryFile(scope, link);
        return new Found(node, Attributes.FromEntry(link.Attributes, node.Ino, node.LinkCount(tree, link)));
    }

    /// <summary>st_nlink: in a rootfs, the group's names still visible there; in a diff/, all of them.</summary>
    private uint LinkCount(TreeContext tree, LinkTarget link) =>
        (uint)(_scope.Stack is { } stack ? HardLinks.VisibleInStack(tree.Reader, stack, link) : link.GroupSize);

    public override int GetAttr(TreeContext tree, out FuseAttr attr)
    {
        attr = default;
        if (tree.Reader.EntryAndGroupSize(Entry) is not var (row, groupSize))
        {
            // The image was removed while the kernel held the node: an open file keeps its attributes.
            if (!tree.OpenedAttributes.TryGetValue(this, out var opened))
                return MoreErrno.ESTALE;
            attr = opened.Value;
            return 0;
        }
        attr = AttributesOf(tree, row, groupSize);
        return 0;
    }

    /// <summary>The attributes of the entry this node shows (a group's first member, or a lone entry).</summary>
    private FuseAttr AttributesOf(TreeContext tree, EntryRow row, int groupSize) =>
        Attributes.FromEntry(row, Ino, LinkCount(tree, new LinkTarget(row, row.Id, groupSize)));

    public override int ReadLink(TreeContext tree, out byte[] target)
    {
        target = [];
        if (tree.Reader.Tree.Get(Entry) is not { } row)
            return MoreErrno.ESTALE;
        if (row.Kind != EntryKind.Symlink || row.Link is null)
            return Errno.EINVAL;
        target = row.Link;
        return 0;
    }

    public override int Open(TreeContext tree, out OpenFile? file)
    {
        file = null;
        if (tree.Reader.EntryAndGroupSize(Entry) is not var (row, groupSize))
            return MoreErrno.ESTALE;
        if (row.Kind is not (EntryKind.Regular or EntryKind.HardLink))
            return Errno.EINVAL;
        tree.OpenedAttributes.AddOrUpdate(this, new(AttributesOf(tree, row, groupSize)));
        if (row.Object is null || row.Size == 0)
        {
            file = new BytesFile([]);
            return 0;
        }
        try
        {
            file = new ObjectFile(File.OpenHandle(tree.Layout.ObjectPath(row.Object), FileMode.Open, FileAccess.Read, FileShare.Read), row.Size);
            return 0;
        }
        catch (FileNotFoundException)
        {
            Serilog.Log.Warning("object {Object} of entry {Entry} is missing from the store", Convert.ToHexStringLower(row.Object), row.Id);
            return Errno.EIO;
        }
    }

    public override int GetXattr(TreeContext tree, string name, out byte[] value) =>
        EntryXattrs.Get(tree, _mayHaveXattrs ? Entry : null, name, out value);

    public override int ListXattr(TreeContext tree, out IReadOnlyList<string> names) =>
        EntryXattrs.List(tree, _mayHaveXattrs ? Entry : null, out names);
}
