using LayerFs.Fuse;
using LayerFs.Mount.Tree;

namespace LayerFs.Mount.Views;

/// <summary>
/// A node of a userspace view's rootfs. Its identity (the low 36 bits of its key) is what st_ino
/// is made from: the image entry it shows or was copied up from, or its upper inode number for an
/// entry made in the view. One node per identity lives at a time (<see cref="ViewState.Live"/>),
/// so that every change reaches the node the kernel holds. A node finds its data again through
/// its primary name (parent directory and name), which renames and unlinks keep current.
/// </summary>
internal abstract class ViewNode : Node
{
    protected ViewNode(ViewState view, long identity, uint type, ViewDirNode? parent, byte[] name)
        : base(new NodeKey(view.Scope.Id, view.KeyId(identity)), type)
    {
        View = view;
        Parent = parent;
        Name = name;
    }

    public ViewState View { get; }

    public long Identity => Key.Id & ((1L << 36) - 1);

    public override ulong Ino => View.InoOf(Identity);

    /// <summary>The directory of the name this node is reached by (null for the view's root). Guarded by the view's lock.</summary>
    public ViewDirNode? Parent { get; set; }

    public byte[] Name { get; set; }

    public override TimeSpan EntryTimeout => ViewState.Timeout;

    public override TimeSpan AttrTimeout => ViewState.Timeout;

    public override TimeSpan NegativeTimeout => ViewState.Timeout;

    public override bool Immutable => false;

    /// <summary>A view changes only through the mount, so the kernel knows when its listings go stale.</summary>
    public override bool KernelKeepsListing => true;

    public bool IsPrimary(ViewDirNode parent, ReadOnlySpan<byte> name) => ReferenceEquals(Parent, parent) && Name.AsSpan().SequenceEqual(name);

    public FuseEntry EntryOf(in FuseAttr attr, NodeTable table)
    {
        var node = table.Acquire(this);
        return new FuseEntry
        {
            NodeId = node.NodeId,
            Generation = table.Generation(node.NodeId),
            EntryTimeout = EntryTimeout,
            AttrTimeout = AttrTimeout,
            Attr = attr,
        };
    }
}
