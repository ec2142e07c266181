using System.Text;
using LayerFs.Fuse;

namespace LayerFs.Mount.Tree.Nodes;

/// <summary>
/// images/, and the directories that '/' in repository names makes below it
/// (images/localhost/corpus/ for localhost/corpus/busybox:latest). Follows the index: every
/// request checks the generation, and the kernel caches nothing here.
/// </summary>
internal sealed class ImagesDirectory : GeneratedDirectory
{
    private readonly string _prefix;

    /// <param name="prefix">"" for images/ itself, else the path below it ending in '/'.</param>
    public ImagesDirectory(string prefix) : base(InodeNumbers.Generated("images/" + prefix))
    {
        _prefix = prefix;
    }

    public override TimeSpan EntryTimeout => _prefix.Length == 0 ? Timeouts.Immutable : Timeouts.Catalog;

    // Its attributes never change (the mount's time and owner): every path through images/
    // needs them for the permission check, so the kernel keeps them; the names follow the index.
    public override TimeSpan AttrTimeout => Timeouts.Immutable;

    public override TimeSpan NegativeTimeout => Timeouts.CatalogAbsence;

    public override bool Immutable => false;

    public override int Lookup(TreeContext tree, byte[] name, out Found found)
    {
        found = default;
        var node = Child(tree.Catalog, name);
        return node is null ? Errno.ENOENT : Answer(tree, node, out found);
    }

    private Node? Child(Catalog catalog, byte[] name)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(name);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        var path = _prefix + text;
        if (catalog.Image(path) is { } image)
            return new ImageDirectory(path, image);
        return catalog.IsDirectory(path + "/") ? new ImagesDirectory(path + "/") : null;
    }

    /// <summary>Names directly under this directory that appeared, disappeared or now name another image.</summary>
    public IEnumerable<string> ChangedNames(Catalog before, Catalog after)
    {
        var names = new HashSet<string>(before.NamesUnder(_prefix), StringComparer.Ordinal);
        names.SymmetricExceptWith(after.NamesUnder(_prefix));
        foreach (var name in after.NamesUnder(_prefix))
            if (before.Image(_prefix + name)?.Id != after.Image(_prefix + name)?.Id)
                names.Add(name);
        return names;
    }

    public override int List(TreeContext tree, out IReadOnlyList<Listed> entries)
    {
        var catalog = tree.Catalog;
        var list = new List<Listed>();
        foreach (var name in catalog.NamesUnder(_prefix))
            if (Child(catalog, Encoding.UTF8.GetBytes(name)) is { } node)
                list.Add(ListedOf(name, node));
        entries = list;
        return 0;
    }
}
