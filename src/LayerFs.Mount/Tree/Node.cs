using LayerFs.Fuse;
using LayerFs.Store.Leases;

namespace LayerFs.Mount.Tree;

/// <summary>
/// A node of the mounted tree, as the kernel knows it (by node id) while it holds a lookup on
/// it. Nodes hold only what they need to find their data in the index again (entry ids, the
/// stack); metadata stays in SQLite and the kernel caches attributes, so memory stays bounded
/// by the number of inodes the kernel keeps, and is given back on FORGET.
///
/// Every operation returns 0 or an errno. The defaults describe a node that is neither a
/// directory nor a file with content.
/// </summary>
internal abstract class Node
{
    protected Node(NodeKey key, uint type)
    {
        Key = key;
        Type = type;
    }

    public NodeKey Key { get; }

    /// <summary>st_ino (computed, not stored: a node holds only what it needs to find its data again).</summary>
    public abstract ulong Ino { get; }

    /// <summary>The S_IFMT bits of the mode.</summary>
    public uint Type { get; }

    public bool IsDirectory => Type == Attributes.Directory;

    /// <summary>
    /// Whether a lookup of the same thing must give the kernel this same node. Directories must
    /// (the kernel would move a directory's dentry if it saw one directory under two node ids);
    /// files need not (two node ids for one file are two inodes with the same st_ino, which is
    /// what a hard link looks like anyway), and leaving them out of the key index saves memory
    /// on the most numerous nodes.
    /// </summary>
    public virtual bool Shared => true;

    /// <summary>The kernel's name for this node (a slot of <see cref="NodeTable"/>); 0 until it has one.</summary>
    public uint NodeId { get; set; }

    /// <summary>The kernel's lookup count; guarded by the <see cref="NodeTable"/> lock.</summary>
    public ulong Lookups { get; set; }

    /// <summary>
    /// The store content this node reads from (a chain's rows and objects, a blob), which the
    /// mount keeps from `prune` for as long as the kernel holds the node (see <see cref="NodeLeases"/>).
    /// </summary>
    public virtual LeaseKey? Lease => null;

    /// <summary>How long the kernel may keep the name that led here, and the attributes.</summary>
    public virtual TimeSpan EntryTimeout => Timeouts.Immutable;

    public virtual TimeSpan AttrTimeout => Timeouts.Immutable;

    /// <summary>How long the kernel may remember that a name is absent from this directory.</summary>
    public virtual TimeSpan NegativeTimeout => Timeouts.Immutable;

    /// <summary>Whether the kernel may cache this directory's listing and this file's pages.</summary>
    public virtual bool Immutable => true;

    /// <summary>
    /// Whether the kernel may keep this directory's listing until it sees the directory change:
    /// true where the listing never changes, or changes only by requests the kernel itself sends
    /// (it drops its copy on every create, unlink and rename). False for images/, layers/ and
    /// views/, whose names change with the store.
    /// </summary>
    public virtual bool KernelKeepsListing => Immutable;

    public abstract int GetAttr(TreeContext tree, out FuseAttr attr);

    public virtual int Lookup(TreeContext tree, byte[] name, out Found found)
    {
        found = default;
        return IsDirectory ? Errno.ENOENT : Errno.ENOTDIR;
    }

    /// <summary>The directory's names (without "." and ".."), in a stable order.</summary>
    public virtual int List(TreeContext tree, out IReadOnlyList<Listed> entries)
    {
        entries = [];
        return IsDirectory ? 0 : Errno.ENOTDIR;
    }

    /// <summary>
    /// Whether <see cref="List"/> is ordered by name bytes and complete, so that
    /// <see cref="ListingCache"/> may answer lookups from it.
    /// </summary>
    public virtual bool ListingAnswersLookups => false;

    /// <summary>Turns a listed name into a node for READDIRPLUS.</summary>
    public virtual int Materialize(TreeContext tree, Listed entry, out Found found) => Lookup(tree, entry.Name, out found);

    public virtual int ReadLink(TreeContext tree, out byte[] target)
    {
        target = [];
        return Errno.EINVAL;
    }

    /// <summary>Opens the content for reading.</summary>
    public virtual int Open(TreeContext tree, out OpenFile? file)
    {
        file = null;
        return IsDirectory ? Errno.EISDIR : Errno.EINVAL;
    }

    public virtual int GetXattr(TreeContext tree, string name, out byte[] value)
    {
        value = [];
        return Errno.ENODATA;
    }

    public virtual int ListXattr(TreeContext tree, out IReadOnlyList<string> names)
    {
        names = [];
        return 0;
    }

    public override string ToString() => $"{GetType().Name} {Key} ino {Ino}";
}
