using System.Text;
using LayerFs.Fuse;
using LayerFs.Mount.Tree;

namespace LayerFs.Mount.Tests.Support;

/// <summary>
/// Drives a <see cref="LayerFileSystem"/> through its FUSE operations directly, as the kernel
/// would, without mounting: path walks by LOOKUP, READDIR(PLUS) in small pages, OPEN/READ/RELEASE.
/// Fast and deterministic, for the stacking rules; the mount tests cover the kernel side.
/// </summary>
public sealed class DirectTree
{
    private static readonly FuseRequestContext Ctx = new(1, 0, 0, 1, CancellationToken.None);

    public DirectTree(LayerFileSystem fs) => Fs = fs;

    public LayerFileSystem Fs { get; }

    /// <summary>Every LOOKUP answered so far, to give back with <see cref="ForgetAll"/>.</summary>
    public Dictionary<ulong, ulong> Lookups { get; } = [];

    public int TryLookup(string path, out FuseEntry entry)
    {
        entry = new FuseEntry { NodeId = 1 };
        foreach (var name in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var status = Fs.Lookup(Ctx, entry.NodeId, Encoding.UTF8.GetBytes(name), out entry);
            if (status != 0)
                return status;
            if (entry.NodeId == 0)
                return Errno.ENOENT;
            Lookups[entry.NodeId] = Lookups.GetValueOrDefault(entry.NodeId) + 1;
        }
        return 0;
    }

    public bool Exists(string path) => TryLookup(path, out _) == 0;

    public FuseEntry Lookup(string path)
    {
        var status = TryLookup(path, out var entry);
        if (status != 0)
            throw new IOException($"lookup {path}: errno {status}");
        return entry;
    }

    public ulong Node(string path) => Lookup(path).NodeId;

    public FuseAttr Stat(string path)
    {
        var node = Node(path);
        var status = Fs.GetAttr(Ctx, node, null, out var attr, out _);
        if (status != 0)
            throw new IOException($"getattr {path}: errno {status}");
        return attr;
    }

    public List<string> Names(string path) => [.. ReadDir(path).Select(e => e.Name).Where(n => n is not "." and not "..")];

    public List<(string Name, ulong Ino, uint Type)> ReadDir(string path, int perCall = 3)
    {
        var node = Node(path);
        var open = FuseOpenOut.Create();
        Check(Fs.OpenDir(Ctx, node, 0, ref open), "opendir " + path);
        var all = new List<(string, ulong, uint)>();
        long offset = 0;
        while (true)
        {
            var writer = new CollectingWriter(perCall);
            Check(Fs.ReadDir(Ctx, node, open.Fh, offset, writer), "readdir " + path);
            if (writer.Entries.Count == 0)
                break;
            all.AddRange(writer.Entries.Select(e => (e.Name, e.Ino, e.Mode)));
            offset = writer.Entries[^1].Next;
        }
        Fs.ReleaseDir(Ctx, node, open.Fh);
        return all;
    }

    public List<(string Name, FuseEntry Entry)> ReadDirPlus(string path, int perCall = 3)
    {
        var node = Node(path);
        var open = FuseOpenOut.Create();
        Check(Fs.OpenDir(Ctx, node, 0, ref open), "opendir " + path);
        var all = new List<(string, FuseEntry)>();
        long offset = 0;
        while (true)
        {
            var writer = new CollectingWriter(perCall);
            Check(Fs.ReadDirPlus(Ctx, node, open.Fh, offset, writer), "readdirplus " + path);
            if (writer.Entries.Count == 0)
                break;
            foreach (var e in writer.Entries)
            {
                all.Add((e.Name, e.Entry));
                if (e.Entry.NodeId != 0)
                    Lookups[e.Entry.NodeId] = Lookups.GetValueOrDefault(e.Entry.NodeId) + 1;
            }
            offset = writer.Entries[^1].Next;
        }
        Fs.ReleaseDir(Ctx, node, open.Fh);
        return all;
    }

    public byte[] Read(string path, int chunk = 4096)
    {
        var node = Node(path);
        var open = FuseOpenOut.Create();
        Check(Fs.Open(Ctx, node, 0, ref open), "open " + path);
        using var content = new MemoryStream();
        var buffer = new byte[chunk];
        long offset = 0;
        while (true)
        {
            Check(Fs.Read(Ctx, node, open.Fh, offset, buffer, out var n), "read " + path);
            content.Write(buffer, 0, n);
            offset += n;
            if (n < buffer.Length)
                break;
        }
        Fs.Release(Ctx, node, open.Fh, 0);
        return content.ToArray();
    }

    public string Text(string path) => Encoding.UTF8.GetString(Read(path));

    public string ReadLink(string path)
    {
        Check(Fs.ReadLink(Ctx, Node(path), out var target), "readlink " + path);
        return Encoding.UTF8.GetString(target);
    }

    public Dictionary<string, byte[]> Xattrs(string path)
    {
        var node = Node(path);
        Check(Fs.ListXattr(Ctx, node, [], out var size), "listxattr " + path);
        var list = new byte[size];
        Check(Fs.ListXattr(Ctx, node, list, out _), "listxattr " + path);
        var result = new Dictionary<string, byte[]>();
        foreach (var name in Encoding.UTF8.GetString(list).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            Check(Fs.GetXattr(Ctx, node, nameBytes, [], out var length), "getxattr " + name);
            var value = new byte[length];
            Check(Fs.GetXattr(Ctx, node, nameBytes, value, out _), "getxattr " + name);
            result[name] = value;
        }
        return result;
    }

    /// <summary>Gives back every lookup, as the kernel does when it drops its inodes.</summary>
    public void ForgetAll()
    {
        foreach (var (node, count) in Lookups)
            Fs.Forget(node, count);
        Lookups.Clear();
    }

    private static void Check(int status, string what)
    {
        if (status != 0)
            throw new IOException($"{what}: errno {status}");
    }

    private sealed class CollectingWriter : FuseDirectoryWriter
    {
        private readonly int _capacity;

        public CollectingWriter(int capacity) => _capacity = capacity;

        public List<(string Name, ulong Ino, uint Mode, FuseEntry Entry, long Next)> Entries { get; } = [];

        public override bool Add(ReadOnlySpan<byte> name, ulong ino, uint mode, long nextOffset)
        {
            if (Entries.Count >= _capacity)
                return false;
            Entries.Add((Encoding.UTF8.GetString(name), ino, mode, default, nextOffset));
            return true;
        }

        public override bool AddPlus(ReadOnlySpan<byte> name, in FuseEntry entry, long nextOffset)
        {
            if (Entries.Count >= _capacity)
                return false;
            Entries.Add((Encoding.UTF8.GetString(name), entry.Attr.Ino, entry.Attr.Mode, entry, nextOffset));
            return true;
        }
    }
}
