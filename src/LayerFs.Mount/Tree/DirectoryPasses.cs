namespace LayerFs.Mount.Tree;

/// <summary>
/// The listings of directories read without a handle (once the kernel took ENOSYS for OPENDIR it
/// reads every directory with handle 0): a READDIR from offset 0 makes the listing, and the
/// READDIRs that continue the pass find it here by node, so that their cookies (positions) name
/// the same entries. Bounded, as RELEASEDIR no longer says when a pass ends: the directory read
/// least recently goes first. A pass whose listing went lists again, which gives the same
/// positions unless the directory changed in between.
/// </summary>
internal sealed class DirectoryPasses
{
    private readonly Lock _lock = new();
    private readonly int _capacity;
    private readonly Dictionary<Node, LinkedListNode<DirectoryHandle>> _byDir = new(ReferenceEqualityComparer.Instance);
    private readonly LinkedList<DirectoryHandle> _recent = new();

    /// <param name="capacity">The most directories whose listing is held at once.</param>
    public DirectoryPasses(int capacity = 64) => _capacity = capacity;

    /// <summary>The directory's pass, made if it has none.</summary>
    public DirectoryHandle For(Node dir)
    {
        lock (_lock)
        {
            if (_byDir.TryGetValue(dir, out var held))
            {
                _recent.Remove(held);
                _recent.AddFirst(held);
                return held.Value;
            }
            if (_byDir.Count >= _capacity && _recent.Last is { } last)
            {
                _recent.RemoveLast();
                _byDir.Remove(last.Value.Node);
            }
            var pass = new DirectoryHandle(dir);
            _byDir[dir] = _recent.AddFirst(pass);
            return pass;
        }
    }

    /// <summary>Forgets a directory (when the kernel forgets its node).</summary>
    public void Remove(Node dir)
    {
        lock (_lock)
        {
            if (_byDir.Remove(dir, out var held))
                _recent.Remove(held);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _byDir.Clear();
            _recent.Clear();
        }
    }
}
