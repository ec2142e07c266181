namespace LayerFs.Mount.Tree.Nodes;

/// <summary>A small generated file whose content is made when the node is (layers/&lt;chain&gt;/json).</summary>
internal sealed class BytesFileNode : GeneratedFile
{
    private readonly byte[] _content;

    public BytesFileNode(string what, byte[] content, long mtime) : base(what, mtime)
    {
        _content = content;
    }

    protected override int Size(TreeContext tree, out long size)
    {
        size = _content.Length;
        return 0;
    }

    public override int Open(TreeContext tree, out OpenFile? file)
    {
        file = new BytesFile(_content);
        return 0;
    }
}
