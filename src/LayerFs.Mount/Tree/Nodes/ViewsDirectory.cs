namespace LayerFs.Mount.Tree.Nodes;

/// <summary>views/: writable views come later (issue 5); for now an empty directory.</summary>
internal sealed class ViewsDirectory : GeneratedDirectory
{
    public ViewsDirectory() : base(InodeNumbers.Generated("views/"))
    {
    }
}
