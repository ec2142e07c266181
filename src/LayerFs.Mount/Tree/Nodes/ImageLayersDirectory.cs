using System.Globalization;
using System.Text;
using LayerFs.Fuse;
using LayerFs.Store.Model;

namespace LayerFs.Mount.Tree.Nodes;

/// <summary>
/// images/&lt;tag&gt;/layers/: symlinks 0, 1, ... (bottom first) to the layers/&lt;chain&gt;
/// directory of each layer in its stack position.
/// </summary>
internal sealed class ImageLayersDirectory : GeneratedDirectory
{
    private readonly string _tag;
    private readonly ImageInfo _image;

    public ImageLayersDirectory(string tag, ImageInfo image) : base(InodeNumbers.Generated($"image-layers:{tag}@{image.Id}"))
    {
        _tag = tag;
        _image = image;
    }

    protected override long MTime(TreeContext tree) => _image.ImportedAt.ToUnixTimeSeconds();

    private SymlinkNode Link(int position)
    {
        // From images/<tag>/layers/N up to the mount root: one "../" per directory of the tag, plus images/ and layers/.
        var up = string.Concat(Enumerable.Repeat("../", 3 + _tag.Count(c => c == '/')));
        var chain = _image.Layers[position].ChainId.Hex;
        return new SymlinkNode($"image-layer-link:{_tag}@{_image.Id}/{position}", up + "layers/" + chain, _image.ImportedAt.ToUnixTimeSeconds());
    }

    public override int Lookup(TreeContext tree, byte[] name, out Found found)
    {
        found = default;
        var text = Encoding.ASCII.GetString(name);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var position)
            || position >= _image.Layers.Count
            || position.ToString(CultureInfo.InvariantCulture) != text)
            return Errno.ENOENT;
        return Answer(tree, Link(position), out found);
    }

    public override int List(TreeContext tree, out IReadOnlyList<Listed> entries)
    {
        entries = [.. Enumerable.Range(0, _image.Layers.Count).Select(i => ListedOf(i.ToString(CultureInfo.InvariantCulture), Link(i)))];
        return 0;
    }
}
