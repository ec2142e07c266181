namespace LayerFs.Mount.Tree;

/// <summary>
/// The nodes the kernel holds, by node id and by what they are (<see cref="NodeKey"/>), with
/// the kernel's lookup counts. A node leaves the table when its count drops to zero (FORGET),
/// and its node id (a slot) may then serve another node: the kernel has dropped it, and the
/// slot's generation changes, so node id and generation stay unique as FUSE requires.
/// Per node: a slot (8 bytes), a generation (4) and, for shared nodes, a key entry (about 28).
/// </summary>
internal sealed class NodeTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<NodeKey, Node> _byKey = [];
    private readonly Stack<uint> _free = new();
    private Node?[] _slots = new Node?[1024];
    private uint[] _generations = new uint[1024];
    private uint _used = 2;
    private int _count = 1;
    private readonly NodeLeases? _leases;

    /// <param name="leases">Where nodes entering and leaving the table take and give back their store leases.</param>
    public NodeTable(Node root, NodeLeases? leases = null)
    {
        Root = root;
        _leases = leases;
        root.NodeId = 1;
        _slots[1] = root;
        _byKey[root.Key] = root;
    }

    /// <summary>Node 1: never forgotten.</summary>
    public Node Root { get; }

    public int Count
    {
        get
        {
            lock (_lock)
                return _count;
        }
    }

    public Node? Get(ulong nodeId)
    {
        lock (_lock)
            return nodeId < _used ? _slots[nodeId] : null;
    }

    /// <summary>The generation of a node id (FUSE's nodeid:generation pair).</summary>
    public ulong Generation(uint nodeId)
    {
        lock (_lock)
            return _generations[nodeId];
    }

    /// <summary>
    /// Counts one kernel lookup of a node: the node already known under the same key, or
    /// <paramref name="candidate"/>, which then gets a node id.
    /// </summary>
    public Node Acquire(Node candidate)
    {
        Node? node;
        var added = false;
        lock (_lock)
        {
            if (!candidate.Shared || !_byKey.TryGetValue(candidate.Key, out node))
            {
                node = candidate;
                if (node.NodeId == 0)
                {
                    node.NodeId = NewSlot();
                    _slots[node.NodeId] = node;
                    _count++;
                    added = true;
                    if (node.Shared)
                        _byKey[node.Key] = node;
                }
            }
            node.Lookups++;
        }
        if (added && node.Lease is { } lease)
            _leases?.Hold(lease);
        return node;
    }

    private uint NewSlot()
    {
        if (_free.TryPop(out var slot))
        {
            _generations[slot]++;
            return slot;
        }
        if (_used == _slots.Length)
        {
            Array.Resize(ref _slots, _slots.Length * 2);
            Array.Resize(ref _generations, _generations.Length * 2);
        }
        return _used++;
    }

    /// <summary>
    /// Gives back lookups (FORGET, or an entry that did not fit a READDIRPLUS reply); returns the
    /// node if that was its last lookup and it has left the table.
    /// </summary>
    public Node? Forget(ulong nodeId, ulong count)
    {
        if (nodeId <= 1)
            return null;
        Node? node;
        lock (_lock)
        {
            if (nodeId >= _used || _slots[nodeId] is not { } known)
                return null;
            node = known;
            node.Lookups = count >= node.Lookups ? 0 : node.Lookups - count;
            if (node.Lookups > 0)
                return null;
            _slots[nodeId] = null;
            _free.Push((uint)nodeId);
            node.NodeId = 0;
            _count--;
            if (node.Shared && _byKey.TryGetValue(node.Key, out var keyed) && ReferenceEquals(keyed, node))
                _byKey.Remove(node.Key);
        }
        if (node.Lease is { } lease)
            _leases?.Release(lease);
        return node;
    }

    /// <summary>The nodes matching a predicate (for change notifications).</summary>
    public List<Node> Find(Func<Node, bool> match)
    {
        lock (_lock)
            return [.. _slots.Take((int)_used).OfType<Node>().Where(match)];
    }
}
