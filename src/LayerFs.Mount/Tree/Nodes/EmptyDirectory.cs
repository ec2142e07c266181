namespace LayerFs.Mount.Tree.Nodes;

/// <summary>An empty generated directory, e.g. the rootfs of an image without layers.</summary>
internal sealed class EmptyDirectory : GeneratedDirectory
{
    private readonly long _mtime;

    public EmptyDirectory(string what, long mtime) : base(InodeNumbers.Generated(what))
    {
        _mtime = mtime;
    }

    protected override long MTime(TreeContext tree) => _mtime;
}
