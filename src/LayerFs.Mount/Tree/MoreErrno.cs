namespace LayerFs.Mount.Tree;

/// <summary>errno values the binding's <see cref="Fuse.Errno"/> does not list.</summary>
internal static class MoreErrno
{
    /// <summary>The node's rows are gone from the index (its image was removed while the kernel still held it).</summary>
    public const int ESTALE = 116;
}
