namespace LayerFs.Store.Views;

/// <summary>Changes computed up front (by <see cref="TreeComparison"/>), with whatever must live as long as they are read.</summary>
public sealed class ListedViewChanges : IViewChanges
{
    private readonly IReadOnlyList<ViewChange> _changes;
    private readonly IDisposable? _owned;

    public ListedViewChanges(IReadOnlyList<ViewChange> changes, IDisposable? owned = null)
    {
        _changes = changes;
        _owned = owned;
    }

    public IEnumerable<ViewChange> Enumerate() => _changes;

    public void Dispose() => _owned?.Dispose();
}
