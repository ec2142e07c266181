using LayerFs.Fuse;

namespace LayerFs.Mount.Tree.Nodes;

/// <summary>A directory the mount makes up (not from a layer): read-only, owned by the user who mounted.</summary>
internal abstract class GeneratedDirectory : Node
{
    protected GeneratedDirectory(ulong ino) : base(NodeKey.Generated(ino), Attributes.Directory)
    {
    }

    public override ulong Ino => (ulong)Key.Id;

    protected virtual long MTime(TreeContext tree) => tree.MountTime;

    public override int GetAttr(TreeContext tree, out FuseAttr attr)
    {
        attr = Attributes.Generated(Ino, Attributes.Directory | 0b101_101_101, 0, MTime(tree), tree.Owner);
        return 0;
    }

    protected static int Answer(TreeContext tree, Node node, out Found found)
    {
        var status = node.GetAttr(tree, out var attr);
        found = status == 0 ? new Found(node, attr) : default;
        return status;
    }

    protected static Listed ListedOf(string name, Node node) => new(System.Text.Encoding.UTF8.GetBytes(name), node.Ino, node.Type);
}
