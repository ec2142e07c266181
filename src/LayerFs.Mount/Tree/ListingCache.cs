namespace LayerFs.Mount.Tree;

/// <summary>
/// The listings of the layer directories read most recently, so that the LOOKUPs which follow a
/// READDIR (find, ls -l, cp -a, tar: the kernel asks for every name it did not get attributes
/// for) are answered from memory instead of one index query each. A listing is complete and
/// immutable, so a name it lacks is absent. Bounded by the total number of names held; the
/// least recently used directory goes first.
/// </summary>
internal sealed class ListingCache
{
    private readonly Lock _lock = new();
    private readonly int _budget;
    private readonly Dictionary<Node, LinkedListNode<(Node Dir, Listed[] Names)>> _byDir = new(ReferenceEqualityComparer.Instance);
    private readonly LinkedList<(Node Dir, Listed[] Names)> _recent = new();
    private int _held;

    /// <param name="budget">The most names held at once.</param>
    public ListingCache(int budget = 32 * 1024) => _budget = budget;

    /// <summary>Keeps a directory's listing, which must be ordered by name bytes.</summary>
    public void Put(Node dir, IReadOnlyList<Listed> listing)
    {
        if (listing.Count > _budget)
            return;
        var names = listing as Listed[] ?? [.. listing];
        lock (_lock)
        {
            if (_byDir.Remove(dir, out var old))
            {
                _recent.Remove(old);
                _held -= old.Value.Names.Length;
            }
            while (_held + names.Length > _budget && _recent.Last is { } last)
            {
                _recent.RemoveLast();
                _byDir.Remove(last.Value.Dir);
                _held -= last.Value.Names.Length;
            }
            _byDir[dir] = _recent.AddFirst((dir, names));
            _held += names.Length;
        }
    }

    /// <summary>
    /// True if the directory's listing is at hand; then <paramref name="entry"/> is the name's
    /// listed entry, or null if the directory has no such name.
    /// </summary>
    public bool TryFind(Node dir, ReadOnlySpan<byte> name, out Listed? entry)
    {
        entry = null;
        Listed[] names;
        lock (_lock)
        {
            if (!_byDir.TryGetValue(dir, out var node))
                return false;
            _recent.Remove(node);
            _recent.AddFirst(node);
            names = node.Value.Names;
        }
        int lo = 0, hi = names.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var order = names[mid].Name.AsSpan().SequenceCompareTo(name);
            if (order == 0)
            {
                entry = names[mid];
                return true;
            }
            if (order < 0)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return true;
    }

    /// <summary>Forgets a directory (when the kernel forgets its node).</summary>
    public void Remove(Node dir)
    {
        lock (_lock)
        {
            if (_byDir.Remove(dir, out var old))
            {
                _recent.Remove(old);
                _held -= old.Value.Names.Length;
            }
        }
    }
}
