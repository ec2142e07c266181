using System.Collections.Concurrent;
using LayerFs.Store;

namespace LayerFs.Mount.Stack;

/// <summary>One layer at its position in a stack: which layer, and the root of its tree.</summary>
internal readonly record struct StackLayer(long LayerId, long RootEntry, Digest DiffId);

/// <summary>
/// A chain's layers, bottom first: what layers/&lt;chain&gt;/rootfs and images/&lt;tag&gt;/rootfs
/// show stacked. Immutable: a chain id names the same layers for ever (it hashes their diff_ids),
/// and a layer that is removed and imported again gets a new stack object with its new rows.
/// </summary>
internal sealed class LayerStack
{
    private readonly ConcurrentDictionary<long, int> _visibleLinks = new();

    public LayerStack(Digest chainId, IReadOnlyList<StackLayer> layers)
    {
        ChainId = chainId;
        Layers = [.. layers];
        InodeNamespace = Tree.InodeNumbers.StackNamespace(chainId);
    }

    public Digest ChainId { get; }

    /// <summary>Bottom first: index = position in the stack.</summary>
    public StackLayer[] Layers { get; }

    /// <summary>The stack's share of st_ino numbers (see <see cref="Tree.InodeNumbers"/>).</summary>
    public uint InodeNamespace { get; }

    public bool SameLayers(IReadOnlyList<StackLayer> layers) => Layers.AsSpan().SequenceEqual(layers.ToArray());

    /// <summary>
    /// How many names of a hard-link group are visible in this stack, by the group's first
    /// member; computed once (see <see cref="HardLinks"/>).
    /// </summary>
    public int VisibleLinks(long first, Func<long, int> count) => _visibleLinks.GetOrAdd(first, count);
}
