namespace LayerFs.Mount.Tree;

/// <summary>
/// An open directory: its listing, made at the first READDIR and kept until RELEASEDIR (or, for
/// directories the kernel opened without OPENDIR, while <see cref="DirectoryPasses"/> holds it),
/// so that the cookies (positions in the listing) stay valid across the calls of one pass. A
/// READDIR from offset 0 (rewinddir) makes it again.
/// </summary>
internal sealed class DirectoryHandle
{
    private readonly Lock _lock = new();
    private IReadOnlyList<Listed>? _listing;

    public DirectoryHandle(Node node) => Node = node;

    public Node Node { get; }

    public int Listing(TreeContext tree, long offset, out IReadOnlyList<Listed> listing)
    {
        lock (_lock)
        {
            if (_listing is null || offset == 0)
            {
                var status = Node.List(tree, out var fresh);
                if (status != 0)
                {
                    listing = [];
                    return status;
                }
                _listing = fresh;
                if (Node.ListingAnswersLookups)
                    tree.Listings.Put(Node, fresh);
            }
            listing = _listing;
            return 0;
        }
    }
}
