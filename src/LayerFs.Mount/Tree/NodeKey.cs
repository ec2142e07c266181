namespace LayerFs.Mount.Tree;

/// <summary>
/// What a node is, so that looking up the same thing twice gives the kernel the same node id;
/// one 64-bit word (scope in the top 24 bits, id in the low 40), since the table keeps one per
/// node the kernel holds. Scope 0 holds generated nodes (id = their st_ino). Every rootfs/ and
/// diff/ reached through a path gets a scope of its own, with id = the entry (or hard-link
/// group) it shows: the kernel must never see one directory node under two parents (it would
/// move the dentry), so images/T/rootfs and layers/CHAIN/rootfs are different nodes even though
/// they show the same stack with the same st_ino numbers.
/// </summary>
internal readonly record struct NodeKey(ulong Value)
{
    private const int IdBits = 40;
    private const ulong IdMask = (1UL << IdBits) - 1;

    public NodeKey(long scope, long id) : this(((ulong)scope << IdBits) | ((ulong)id & IdMask))
    {
    }

    public long Scope => (long)(Value >> IdBits);

    public long Id => (long)(Value & IdMask);

    public static NodeKey Generated(ulong ino) => new(0, (long)ino);

    public override string ToString() => $"{Scope}:{Id}";
}
