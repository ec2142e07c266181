using LayerFs.Fuse;
using LayerFs.Store.Model;

namespace LayerFs.Mount.Tree.Nodes;

/// <summary>
/// images/&lt;name&gt;:&lt;tag&gt;/: json, manifest.json, rootfs/, layers/. The node stands for
/// the image the tag named when it was looked up; the kernel asks for the name again on every
/// use (catalog timeout), so a re-tag or rmi shows at once, while everything below is immutable.
/// </summary>
internal sealed class ImageDirectory : GeneratedDirectory
{
    private static readonly byte[] JsonName = "json"u8.ToArray();
    private static readonly byte[] ManifestName = "manifest.json"u8.ToArray();
    private static readonly byte[] RootfsName = "rootfs"u8.ToArray();
    private static readonly byte[] LayersName = "layers"u8.ToArray();

    private readonly string _tag;
    private readonly ImageInfo _image;
    private TreeScope? _rootfsScope;

    public ImageDirectory(string tag, ImageInfo image) : base(InodeNumbers.Generated($"image:{tag}@{image.Id}"))
    {
        _tag = tag;
        _image = image;
    }

    public override TimeSpan EntryTimeout => Timeouts.Catalog;

    protected override long MTime(TreeContext tree) => _image.ImportedAt.ToUnixTimeSeconds();

    /// <summary>This directory's rootfs scope, made on first use (a candidate node that the table drops never needs one).</summary>
    private TreeScope RootfsScope(TreeContext tree, Stack.LayerStack stack)
    {
        if (Volatile.Read(ref _rootfsScope) is null)
            Interlocked.CompareExchange(ref _rootfsScope, tree.NewScope(stack.ChainId, stack, stack.InodeNamespace), null);
        return _rootfsScope!;
    }

    private Node? Child(TreeContext tree, ReadOnlySpan<byte> name)
    {
        if (name.SequenceEqual(JsonName))
            return new BlobFile($"image-json:{_image.Id}", _image.Id, _image.ImportedAt.ToUnixTimeSeconds());
        if (name.SequenceEqual(ManifestName))
            return new BlobFile($"image-manifest:{_image.ManifestDigest}", _image.ManifestDigest, _image.ImportedAt.ToUnixTimeSeconds());
        if (name.SequenceEqual(LayersName))
            return new ImageLayersDirectory(_tag, _image);
        if (name.SequenceEqual(RootfsName))
        {
            if (_image.Layers.Count == 0)
                return new EmptyDirectory($"empty-rootfs:{_tag}@{_image.Id}", _image.ImportedAt.ToUnixTimeSeconds());
            var stack = tree.Catalog.StackOf(_image.Layers[^1].ChainId.Hex);
            return stack is null ? null : StackDirectory.Root(tree, RootfsScope(tree, stack));
        }
        return null;
    }

    public override int Lookup(TreeContext tree, byte[] name, out Found found)
    {
        found = default;
        return Child(tree, name) is { } node ? Answer(tree, node, out found) : Errno.ENOENT;
    }

    public override int List(TreeContext tree, out IReadOnlyList<Listed> entries)
    {
        var list = new List<Listed>();
        foreach (var name in new[] { "json", "manifest.json", "layers" })
            if (Child(tree, System.Text.Encoding.UTF8.GetBytes(name)) is { } node)
                list.Add(ListedOf(name, node));
        // The rootfs number without reading the stack: a merged root is numbered by its top layer's root.
        var stack = _image.Layers.Count == 0 ? null : tree.Catalog.StackOf(_image.Layers[^1].ChainId.Hex);
        if (stack is not null)
            list.Insert(2, new Listed(RootfsName, InodeNumbers.Entry(stack.InodeNamespace, stack.Layers[^1].RootEntry), Attributes.Directory));
        else if (_image.Layers.Count == 0)
            list.Insert(2, ListedOf("rootfs", new EmptyDirectory($"empty-rootfs:{_tag}@{_image.Id}", 0)));
        entries = list;
        return 0;
    }
}
