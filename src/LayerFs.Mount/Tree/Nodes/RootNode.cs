namespace LayerFs.Mount.Tree.Nodes;

/// <summary>The mount's root: images/, layers/ and views/.</summary>
internal sealed class RootNode : GeneratedDirectory
{
    private static readonly byte[] ImagesName = "images"u8.ToArray();
    private static readonly byte[] LayersName = "layers"u8.ToArray();
    private static readonly byte[] ViewsName = "views"u8.ToArray();

    public RootNode() : base(InodeNumbers.Root)
    {
    }

    private static Node? Child(ReadOnlySpan<byte> name)
    {
        if (name.SequenceEqual(ImagesName))
            return new ImagesDirectory("");
        if (name.SequenceEqual(LayersName))
            return new LayersDirectory();
        if (name.SequenceEqual(ViewsName))
            return new ViewsDirectory();
        return null;
    }

    public override int Lookup(TreeContext tree, byte[] name, out Found found)
    {
        found = default;
        return Child(name) is { } node ? Answer(tree, node, out found) : Fuse.Errno.ENOENT;
    }

    public override int List(TreeContext tree, out IReadOnlyList<Listed> entries)
    {
        entries = [ListedOf("images", new ImagesDirectory("")), ListedOf("layers", new LayersDirectory()), ListedOf("views", new ViewsDirectory())];
        return 0;
    }
}
