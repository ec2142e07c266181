using LayerFs.Mount.Stack;
using LayerFs.Store;
using LayerFs.Store.Leases;

namespace LayerFs.Mount.Tree;

/// <summary>
/// One rootfs/ or diff/ as reached through one path (images/T/rootfs, layers/C/rootfs,
/// layers/C/diff): what all its nodes share, held once instead of in every node. Its id keeps
/// its directory nodes apart from those of another path to the same stack (see <see cref="NodeKey"/>).
/// </summary>
internal sealed class TreeScope
{
    public TreeScope(long id, Digest? chain, LayerStack? stack, uint inodeNamespace)
    {
        Id = id;
        Lease = chain is { } c ? LeaseKey.Chain(c) : null;
        Stack = stack;
        InodeNamespace = inodeNamespace;
    }

    public long Id { get; }

    /// <summary>
    /// The chain whose rows and objects its nodes read (for a diff/, the chain of its layer); a
    /// view's scope has none: its view row keeps its image.
    /// </summary>
    public LeaseKey? Lease { get; }

    /// <summary>The stack a rootfs shows; null for a diff/ (one layer, nothing stacked).</summary>
    public LayerStack? Stack { get; }

    /// <summary>The namespace of its st_ino numbers (see <see cref="InodeNumbers"/>).</summary>
    public uint InodeNamespace { get; }
}
