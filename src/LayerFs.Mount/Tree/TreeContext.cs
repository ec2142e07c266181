using LayerFs.Mount.Reading;
using LayerFs.Mount.Stack;
using LayerFs.Store;
using LayerFs.Store.Content;

namespace LayerFs.Mount.Tree;

/// <summary>What every node needs to answer: the calling thread's index reader, the catalog, the node table.</summary>
internal sealed class TreeContext : IDisposable
{
    private long _nextScope;

    public TreeContext(StoreLayout layout, Owner owner, long mountTime)
    {
        Layout = layout;
        Owner = owner;
        MountTime = mountTime;
        Readers = new ReaderPool(layout);
        Content = new ContentStore(layout);
        Leases = new NodeLeases(layout);
        Nodes = new NodeTable(new Nodes.RootNode(), Leases);
    }

    public StoreLayout Layout { get; }

    public ContentStore Content { get; }

    public Owner Owner { get; }

    /// <summary>The mtime of the generated directories.</summary>
    public long MountTime { get; }

    public ReaderPool Readers { get; }

    /// <summary>The calling thread's reader.</summary>
    public IndexReader Reader => Readers.Current;

    public NodeTable Nodes { get; }

    /// <summary>The store leases that the nodes in <see cref="Nodes"/> hold.</summary>
    public NodeLeases Leases { get; }

    public CatalogSource Catalogs { get; } = new();

    /// <summary>The catalog of the index's current generation.</summary>
    public Catalog Catalog => Catalogs.Current(Reader);

    /// <summary>Recent layer-directory listings, which answer the lookups that follow a READDIR.</summary>
    public ListingCache Listings { get; } = new();

    /// <summary>The writable views served so far (views/).</summary>
    public Views.ViewStates Views { get; } = new();

    /// <summary>
    /// The attributes of files as they were opened, for as long as the node lives: what fstat on
    /// an open file answers after its image (and its rows) are removed.
    /// </summary>
    public System.Runtime.CompilerServices.ConditionalWeakTable<Node, System.Runtime.CompilerServices.StrongBox<Fuse.FuseAttr>> OpenedAttributes { get; } = new();

    /// <summary>A new scope for the nodes of one rootfs/ (stack given) or diff/ of a chain (see <see cref="TreeScope"/>).</summary>
    public TreeScope NewScope(Digest? chain, Stack.LayerStack? stack, uint inodeNamespace) => new(Interlocked.Increment(ref _nextScope), chain, stack, inodeNamespace);

    public void Dispose()
    {
        Views.Dispose();
        Leases.Dispose();
        Readers.Dispose();
    }
}
