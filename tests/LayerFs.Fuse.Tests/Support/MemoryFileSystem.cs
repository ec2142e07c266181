using System.Collections.Concurrent;
using System.Text;

namespace LayerFs.Fuse.Tests.Support;

/// <summary>
/// A small in-memory filesystem for session tests. It counts lookups per node exactly as the API
/// contract says (including READDIRPLUS entries for "." and ".."), counts calls per operation, and
/// lets a test change contents behind the kernel's back or make reads wait.
/// </summary>
public sealed class MemoryFileSystem : FuseFileSystem
{
    private readonly Lock gate = new();
    private readonly Dictionary<ulong, Node> nodes = [];
    private ulong nextId = 2;

    public MemoryFileSystem()
    {
        Root = new Node(1, 0x4000 | 0b111_101_101, 0);
        nodes[1] = Root;
    }

    public Node Root { get; }

    /// <summary>Entry and attribute cache timeout of every answer.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Ask the kernel to keep file pages across opens.</summary>
    public bool KeepCache { get; set; }

    /// <summary>Called by Read before it copies; its return value, if any, is the errno to answer.</summary>
    public Func<Node, FuseRequestContext, int?>? ReadHook { get; set; }

    /// <summary>Called by Lookup first; its return value, if any, is the errno to answer.</summary>
    public Func<string, FuseRequestContext, int?>? LookupHook { get; set; }

    public ConcurrentDictionary<string, int> Calls { get; } = new();

    public FuseConnectionInfo? Connection { get; private set; }

    public bool Destroyed { get; private set; }

    public Node AddFile(Node dir, string name, string content) => Add(dir, name, 0x8000 | 0b110_100_100, Encoding.UTF8.GetBytes(content));

    public Node AddDir(Node dir, string name) => Add(dir, name, 0x4000 | 0b111_101_101, []);

    public void SetContent(Node node, string content)
    {
        lock (gate)
            node.Content = Encoding.UTF8.GetBytes(content);
    }

    /// <summary>Renames in memory only: the kernel does not know until told.</summary>
    public void RenameBehindTheKernel(Node dir, string from, string to)
    {
        lock (gate)
        {
            var id = dir.Children[from];
            dir.Children.Remove(from);
            dir.Children[to] = id;
        }
    }

    public void RemoveBehindTheKernel(Node dir, string name)
    {
        lock (gate)
            dir.Children.Remove(name);
    }

    /// <summary>Lookups the kernel holds on nodes other than the root.</summary>
    public long OutstandingLookups()
    {
        lock (gate)
            return nodes.Values.Where(n => n.Id != 1).Sum(n => n.Lookups);
    }

    public override void Init(FuseConnectionInfo connection) => Connection = connection;

    public override void Destroy() => Destroyed = true;

    public override int Lookup(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, out FuseEntry entry)
    {
        Count("lookup");
        entry = default;
        if (LookupHook?.Invoke(Encoding.UTF8.GetString(name), ctx) is { } errno)
            return errno;
        lock (gate)
        {
            if (!nodes.TryGetValue(parent, out var dir))
                return Errno.ENOENT;
            if (!dir.Children.TryGetValue(Encoding.UTF8.GetString(name), out var id))
                return Errno.ENOENT;
            entry = EntryLocked(nodes[id]);
            return 0;
        }
    }

    public override void Forget(ulong nodeId, ulong nlookup)
    {
        Count("forget");
        lock (gate)
            if (nodes.TryGetValue(nodeId, out var node))
                node.Lookups -= (long)nlookup;
    }

    public override int GetAttr(in FuseRequestContext ctx, ulong nodeId, ulong? fh, out FuseAttr attr, out TimeSpan attrTimeout)
    {
        Count("getattr");
        attrTimeout = Timeout;
        lock (gate)
        {
            attr = nodes.TryGetValue(nodeId, out var node) ? AttrOf(node) : default;
            return node is null ? Errno.ENOENT : 0;
        }
    }

    public override int Open(in FuseRequestContext ctx, ulong nodeId, int flags, ref FuseOpenOut open)
    {
        Count("open");
        open.Fh = nodeId;
        if (KeepCache)
            open.Flags |= FuseOpenFlags.KeepCache;
        return 0;
    }

    public override int Read(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, Span<byte> buffer, out int bytesRead)
    {
        Count("read");
        bytesRead = 0;
        Node? node;
        lock (gate)
            nodes.TryGetValue(nodeId, out node);
        if (node is null)
            return Errno.ENOENT;
        if (ReadHook?.Invoke(node, ctx) is { } errno)
            return errno;
        lock (gate)
        {
            var content = node.Content;
            if (offset < content.Length)
            {
                bytesRead = Math.Min(buffer.Length, content.Length - (int)offset);
                content.AsSpan((int)offset, bytesRead).CopyTo(buffer);
            }
        }
        return 0;
    }

    public override int OpenDir(in FuseRequestContext ctx, ulong nodeId, int flags, ref FuseOpenOut open)
    {
        Count("opendir");
        return 0;
    }

    public override int ReadDir(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, FuseDirectoryWriter writer)
    {
        Count("readdir");
        lock (gate)
        {
            var entries = ListingLocked(nodeId);
            for (var i = (int)offset; i < entries.Count; i++)
                if (!writer.Add(Encoding.UTF8.GetBytes(entries[i].Name), entries[i].Node.Id, entries[i].Node.Mode, i + 1))
                    break;
        }
        return 0;
    }

    public override int ReadDirPlus(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, FuseDirectoryWriter writer)
    {
        Count("readdirplus");
        lock (gate)
        {
            var entries = ListingLocked(nodeId);
            for (var i = (int)offset; i < entries.Count; i++)
            {
                // Every entry, "." and ".." included, is answered with its node and counted as a lookup.
                var entry = EntryLocked(entries[i].Node);
                if (!writer.AddPlus(Encoding.UTF8.GetBytes(entries[i].Name), entry, i + 1))
                {
                    entries[i].Node.Lookups--;
                    break;
                }
            }
        }
        return 0;
    }

    public override int StatFs(in FuseRequestContext ctx, ulong nodeId, out FuseStatFs stat)
    {
        Count("statfs");
        stat = default;
        return Errno.ENOSYS;
    }

    private List<(string Name, Node Node)> ListingLocked(ulong dirId)
    {
        var dir = nodes[dirId];
        var list = new List<(string, Node)> { (".", dir), ("..", nodes[dir.Parent == 0 ? 1 : dir.Parent]) };
        list.AddRange(dir.Children.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, nodes[c.Value])));
        return list;
    }

    private FuseEntry EntryLocked(Node node)
    {
        node.Lookups++;
        return new FuseEntry { NodeId = node.Id, EntryTimeout = Timeout, AttrTimeout = Timeout, Attr = AttrOf(node) };
    }

    private static FuseAttr AttrOf(Node node) => new()
    {
        Ino = node.Id,
        Mode = node.Mode,
        NLink = (node.Mode & 0xF000) == 0x4000 ? 2u : 1u,
        Size = (ulong)node.Content.Length,
        Blocks = (ulong)(node.Content.Length + 511) / 512,
        MTime = 1_700_000_000,
    };

    private Node Add(Node dir, string name, uint mode, byte[] content)
    {
        lock (gate)
        {
            var node = new Node(nextId++, mode, dir.Id) { Content = content };
            nodes[node.Id] = node;
            dir.Children[name] = node.Id;
            return node;
        }
    }

    private void Count(string op) => Calls.AddOrUpdate(op, 1, (_, n) => n + 1);

    public sealed class Node
    {
        public Node(ulong id, uint mode, ulong parent)
        {
            Id = id;
            Mode = mode;
            Parent = parent;
        }

        public ulong Id { get; }

        public uint Mode { get; }

        public ulong Parent { get; }

        public byte[] Content { get; set; } = [];

        public Dictionary<string, ulong> Children { get; } = new(StringComparer.Ordinal);

        public long Lookups { get; set; }
    }
}
