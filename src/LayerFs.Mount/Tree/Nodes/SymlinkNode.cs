using System.Text;
using LayerFs.Fuse;

namespace LayerFs.Mount.Tree.Nodes;

/// <summary>A generated symlink: images/&lt;tag&gt;/layers/N -> ../../../layers/&lt;chain&gt;.</summary>
internal sealed class SymlinkNode : Node
{
    private readonly byte[] _target;
    private readonly long _mtime;

    public SymlinkNode(string what, string target, long mtime)
        : base(NodeKey.Generated(InodeNumbers.Generated(what)), Attributes.Symlink)
    {
        _target = Encoding.UTF8.GetBytes(target);
        _mtime = mtime;
    }

    public override ulong Ino => (ulong)Key.Id;

    public override int GetAttr(TreeContext tree, out FuseAttr attr)
    {
        attr = Attributes.Generated(Ino, Attributes.Symlink | 0b111_111_111, (ulong)_target.Length, _mtime, tree.Owner);
        return 0;
    }

    public override int ReadLink(TreeContext tree, out byte[] target)
    {
        target = _target;
        return 0;
    }
}
