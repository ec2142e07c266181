using LayerFs.Mount.Reading;

namespace LayerFs.Mount.Tree;

/// <summary>
/// Hands out the catalog of the index's current generation. Every change to images or tags
/// bumps the generation in the same transaction, so one cheap query tells whether the catalog
/// in hand is still the index's; images/ and layers/ ask on every request.
/// </summary>
internal sealed class CatalogSource
{
    private readonly Lock _reload = new();
    private volatile Catalog? _current;

    /// <summary>Raised (outside any lock) after a newer generation has been loaded.</summary>
    public event Action<Catalog?, Catalog>? Changed;

    public Catalog Current(IndexReader reader)
    {
        var generation = reader.Tree.Generation();
        var current = _current;
        if (current is not null && current.Generation == generation)
            return current;
        Catalog? previous;
        Catalog loaded;
        lock (_reload)
        {
            current = _current;
            if (current is not null && current.Generation == generation)
                return current;
            // The generation is read first: data loaded after it is at least as new, so a
            // change that lands in between only makes the next request load again.
            loaded = new Catalog(generation, reader.Tree.Images(), reader.Tree.Chains(), current);
            previous = current;
            _current = loaded;
        }
        Changed?.Invoke(previous, loaded);
        return loaded;
    }

    /// <summary>The catalog last loaded, without asking the index.</summary>
    public Catalog? Loaded => _current;
}
