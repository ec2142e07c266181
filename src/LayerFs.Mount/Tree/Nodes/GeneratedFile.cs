using LayerFs.Fuse;

namespace LayerFs.Mount.Tree.Nodes;

/// <summary>A read-only file the mount makes up: json, manifest.json, layer.tar.</summary>
internal abstract class GeneratedFile : Node
{
    private readonly long _mtime;

    protected GeneratedFile(string what, long mtime) : base(NodeKey.Generated(InodeNumbers.Generated(what)), Attributes.Regular)
    {
        _mtime = mtime;
    }

    public override ulong Ino => (ulong)Key.Id;

    /// <summary>The file's size, or an errno if it cannot be known any more.</summary>
    protected abstract int Size(TreeContext tree, out long size);

    public override int GetAttr(TreeContext tree, out FuseAttr attr)
    {
        attr = default;
        var status = Size(tree, out var size);
        if (status != 0)
            return status;
        attr = Attributes.Generated(Ino, Attributes.Regular | 0b100_100_100, (ulong)size, _mtime, tree.Owner);
        return 0;
    }
}
