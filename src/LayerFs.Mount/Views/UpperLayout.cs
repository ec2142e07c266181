using LayerFs.Store;

namespace LayerFs.Mount.Views;

/// <summary>
/// Where a userspace view keeps its state inside the store:
/// <code>
///   STORE/views/NAME/upper/   the view's own entries (created, copied up, whiteouts, opaque markers)
///   STORE/views/NAME/work/    copy-ups in progress, renamed into upper/ when complete
/// </code>
/// </summary>
public sealed record UpperLayout(string Root, string Upper, string Work)
{
    public static UpperLayout Of(ImageStore store, string viewName)
    {
        var root = store.ViewDirectory(viewName);
        return new UpperLayout(root, Path.Combine(root, "upper"), Path.Combine(root, "work"));
    }
}
