using System.Text;
using LayerFs.Fuse;

namespace LayerFs.Mount.Tree.Nodes;

/// <summary>layers/: one directory per chain (a layer in its stack position). Follows the index like images/.</summary>
internal sealed class LayersDirectory : GeneratedDirectory
{
    public LayersDirectory() : base(InodeNumbers.Generated("layers/"))
    {
    }

    // Its attributes never change (the mount's time and owner); its names follow the index.
    public override TimeSpan AttrTimeout => Timeouts.Immutable;

    public override TimeSpan NegativeTimeout => Timeouts.CatalogAbsence;

    public override bool Immutable => false;

    public override int Lookup(TreeContext tree, byte[] name, out Found found)
    {
        found = default;
        var catalog = tree.Catalog;
        var hex = Encoding.ASCII.GetString(name);
        if (catalog.Chain(hex) is not { } chain || catalog.StackOf(hex) is not { } stack)
            return Errno.ENOENT;
        return Answer(tree, new ChainDirectory(chain, stack), out found);
    }

    /// <summary>Chains that appeared or disappeared.</summary>
    public static IEnumerable<string> ChangedNames(Catalog before, Catalog after)
    {
        var names = new HashSet<string>(before.Chains.Select(c => c.ChainId.Hex), StringComparer.Ordinal);
        names.SymmetricExceptWith(after.Chains.Select(c => c.ChainId.Hex));
        return names;
    }

    public override int List(TreeContext tree, out IReadOnlyList<Listed> entries)
    {
        var catalog = tree.Catalog;
        var list = new List<Listed>();
        foreach (var chain in catalog.Chains.OrderBy(c => c.ChainId.Hex, StringComparer.Ordinal))
            if (catalog.StackOf(chain.ChainId.Hex) is { } stack)
                list.Add(ListedOf(chain.ChainId.Hex, new ChainDirectory(chain, stack)));
        entries = list;
        return 0;
    }
}
