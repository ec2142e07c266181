using LayerFs.Fuse;
using LayerFs.Mount.Stack;
using LayerFs.Store.Leases;
using LayerFs.Store.Model;

namespace LayerFs.Mount.Tree.Nodes;

/// <summary>
/// layers/&lt;chain-id&gt;/: json, diff/ (the layer's own entries), rootfs/ (the layer stacked on
/// its parents) and layer.tar. The name is re-checked against the catalog on every use; what is
/// below is immutable.
/// </summary>
internal sealed class ChainDirectory : GeneratedDirectory
{
    private static readonly byte[] JsonName = "json"u8.ToArray();
    private static readonly byte[] DiffName = "diff"u8.ToArray();
    private static readonly byte[] RootfsName = "rootfs"u8.ToArray();
    private static readonly byte[] TarName = "layer.tar"u8.ToArray();

    private readonly ChainInfo _chain;
    private readonly LayerStack _stack;
    private TreeScope? _diffScope;
    private TreeScope? _rootfsScope;

    public ChainDirectory(ChainInfo chain, LayerStack stack) : base(InodeNumbers.Generated($"chain:{chain.ChainId.Hex}:{chain.LayerId}"))
    {
        _chain = chain;
        _stack = stack;
    }

    public override TimeSpan EntryTimeout => Timeouts.Catalog;

    public override LeaseKey? Lease => LeaseKey.Chain(_chain.ChainId);

    /// <summary>A scope made on first use (a candidate node that the table drops never needs one).</summary>
    private TreeScope Scope(TreeContext tree, ref TreeScope? scope, LayerStack? stack, uint inodeNamespace)
    {
        if (Volatile.Read(ref scope) is null)
            Interlocked.CompareExchange(ref scope, tree.NewScope(_chain.ChainId, stack, inodeNamespace), null);
        return scope!;
    }

    private Node? Child(TreeContext tree, ReadOnlySpan<byte> name)
    {
        var mtime = tree.MountTime;
        if (name.SequenceEqual(JsonName))
            return new BytesFileNode($"chain-json:{_chain.ChainId.Hex}:{_chain.LayerId}", ChainJson.Build(tree, _chain), mtime);
        if (name.SequenceEqual(TarName))
            return new LayerTarNode(_chain, mtime);
        if (name.SequenceEqual(DiffName))
            return DiffDirectory.Root(Scope(tree, ref _diffScope, null, InodeNumbers.DiffNamespace(_chain.DiffId)), _chain);
        if (name.SequenceEqual(RootfsName))
            return StackDirectory.Root(tree, Scope(tree, ref _rootfsScope, _stack, _stack.InodeNamespace));
        return null;
    }

    public override int Lookup(TreeContext tree, byte[] name, out Found found)
    {
        found = default;
        return Child(tree, name) is { } node ? Answer(tree, node, out found) : Errno.ENOENT;
    }

    public override int List(TreeContext tree, out IReadOnlyList<Listed> entries)
    {
        entries =
        [
            new Listed(JsonName, InodeNumbers.Generated($"chain-json:{_chain.ChainId.Hex}:{_chain.LayerId}"), Attributes.Regular),
            new Listed(DiffName, InodeNumbers.Entry(InodeNumbers.DiffNamespace(_chain.DiffId), _chain.RootEntry), Attributes.Directory),
            new Listed(RootfsName, InodeNumbers.Entry(_stack.InodeNamespace, _chain.RootEntry), Attributes.Directory),
            new Listed(TarName, InodeNumbers.Generated($"layer-tar:{_chain.DiffId.Hex}:{_chain.LayerId}"), Attributes.Regular),
        ];
        return 0;
    }
}
