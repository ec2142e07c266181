using System.Text;
using LayerFs.Fuse;
using LayerFs.Mount.Interop;
using LayerFs.Mount.Stack;
using LayerFs.Mount.Tree;
using LayerFs.Store.Model;

namespace LayerFs.Mount.Views;

/// <summary>
/// One userspace view as a mount serves it: its upper and work directories (held open), its
/// inode table, the image stack below, and the nodes the kernel knows of it. Every change to the
/// view's names, and every lookup, runs under <see cref="Enter"/> (one lock per view: the host
/// calls are quick, and one order of events is what keeps upper/, the table and the nodes
/// consistent); file reads and writes on open handles do not take it.
/// </summary>
internal sealed partial class ViewState : IDisposable
{
    /// <summary>
    /// How long the kernel may keep names and attributes: as long as the image trees'. Every change
    /// to a view passes through the mount, and the kernel updates or drops what it caches on each
    /// change it sends (passthrough writes included), so nothing it keeps can go stale; a short
    /// timeout only cost a LOOKUP or GETATTR per name and second (half the requests of an untar).
    /// </summary>
    public static readonly TimeSpan Timeout = Timeouts.Immutable;

    /// <summary>Identities of entries made in the view: the upper inode number with this bit, apart from image entry ids.</summary>
    private const long UpperBit = 1L << 35;

    /// <summary>Node keys carry an epoch above the 36 identity bits, so that a reused upper inode number never meets the kernel's node of the dead file.</summary>
    private const int EpochShift = 36;

    private const int DirFdBudget = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<long, WeakReference<ViewNode>> _nodes = [];
    private readonly Dictionary<long, int> _epochs = [];
    private readonly Dictionary<ulong, int> _dirFds = [];
    private readonly Dictionary<ulong, ViewDirNode> _dirty = [];
    private readonly int _upperFd;
    private readonly int _workFd;
    /// <summary>The whiteout in work/ that upper whiteouts are hard links of (work/ is cleared at every start).</summary>
    private static readonly byte[] SharedWhiteout = "#whiteout"u8.ToArray();

    private long _temp;
    private bool _sharedWhiteout;
    private int _registrations;

    public ViewState(TreeContext tree, ViewInfo info, LayerStack? stack)
    {
        Info = info;
        Layout = UpperLayout.Of(Path.Combine(tree.Layout.ViewsDir, info.Name));
        Stack = stack;
        Namespace = NamespaceOf(info);
        Scope = tree.NewScope(null, stack, Namespace);
        var upper = Host.C(Layout.Upper);
        var work = Host.C(Layout.Work);
        Directory.CreateDirectory(Layout.Work);
        if (Host.Open(Libc.AT_FDCWD, upper.AsSpan(0, upper.Length - 1), Libc.O_PATH | Libc.O_DIRECTORY, 0, out _upperFd) != 0)
            throw new IOException($"view {info.Name}: cannot open {Layout.Upper}");
        if (Host.Open(Libc.AT_FDCWD, work.AsSpan(0, work.Length - 1), Libc.O_PATH | Libc.O_DIRECTORY, 0, out _workFd) != 0)
        {
            Host.Close(_upperFd);
            throw new IOException($"view {info.Name}: cannot open {Layout.Work}");
        }
        Table = UpperTable.Open(Layout.Table);
        ClearWork();
        var mask = Libc.Umask(0);
        Libc.Umask(mask);
        Umask = mask;
        Root = MakeRoot(tree);
    }

    public ViewInfo Info { get; }

    public UpperLayout Layout { get; }

    public LayerStack? Stack { get; }

    public uint Namespace { get; }

    public TreeScope Scope { get; }

    public UpperTable Table { get; }

    /// <summary>The daemon's umask, which the host applies to what it creates (modes are set again where it would cut them).</summary>
    public uint Umask { get; }

    public ViewDirNode Root { get; }

    public int UpperFd => _upperFd;

    public int WorkFd => _workFd;

    /// <summary>The view's st_ino namespace: as a chain's, from a hash (of the view's name and creation).</summary>
    private static uint NamespaceOf(ViewInfo info) => InodeNumbers.StackNamespace($"view:{info.Name}@{info.CreatedAt.ToUnixTimeSeconds()}");

    public ulong InoOf(long identity) => InodeNumbers.Entry(Namespace, identity & ((1L << EpochShift) - 1));

    public static long UpperIdentity(ulong hostIno) => UpperBit | ((long)hostIno & (UpperBit - 1));

    /// <summary>The node key id of an identity: the identity and its current epoch.</summary>
    public long KeyId(long identity) => identity | ((long)_epochs.GetValueOrDefault(identity) << EpochShift);

    /// <summary>Takes the view's lock; also the moment to trim the directory fds kept open.</summary>
    public Lock.Scope Enter()
    {
        var scope = _gate.EnterScope();
        if (_dirFds.Count > DirFdBudget)
        {
            foreach (var fd in _dirFds.Values)
                Host.Close(fd);
            _dirFds.Clear();
        }
        return scope;
    }

    /// <summary>
    /// Makes NAME in an upper directory a whiteout (lock held): a hard link to one 0:0 device kept in
    /// work/, as overlayfs shares its whiteouts, so that deleting an image file allocates no inode
    /// (and replacing it frees none). A new shared device when the host's link count runs out; a
    /// whiteout of its own if linking fails otherwise.
    /// </summary>
    public int MakeWhiteout(int dirFd, ReadOnlySpan<byte> name)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (!_sharedWhiteout)
            {
                var made = Host.MkNod(_workFd, SharedWhiteout, Host.S_IFCHR, 0);
                if (made != 0 && made != Errno.EEXIST)
                    break;
                _sharedWhiteout = true;
            }
            var rc = Host.Link(_workFd, SharedWhiteout, dirFd, name);
            if (rc == 0 || rc == Errno.EEXIST)
                return rc;
            _sharedWhiteout = false;
            if (rc != Errno.EMLINK && rc != Errno.ENOENT)
                break;
            Host.Unlink(_workFd, SharedWhiteout);
        }
        return Host.MkNod(dirFd, name, Host.S_IFCHR, 0);
    }

    /// <summary>A new name in work/.</summary>
    public byte[] TempName() => Encoding.ASCII.GetBytes($"#{Environment.ProcessId}.{Interlocked.Increment(ref _temp)}");

    private void ClearWork()
    {
        var entries = new List<Host.DirEntry>();
        if (Host.Open(_workFd, "."u8, Libc.O_RDONLY | Libc.O_DIRECTORY, 0, out var fd) != 0)
            return;
        Host.ReadDirectory(fd, entries);
        Host.Close(fd);
        foreach (var entry in entries)
            HostTree.Remove(_workFd, entry.Name);
    }

    private ViewDirNode MakeRoot(TreeContext tree)
    {
        if (Stack is null)
        {
            Host.StatFd(_upperFd, out var st);
            return Register(new ViewDirNode(this, UpperIdentity(st.Ino), null, [], [], null));
        }
        var root = StackLookup.Root(tree.Reader, Stack);
        if (Table.Meta("root") is null)
        {
            // upper/ itself stands for the image's root: it starts with the root's metadata.
            CopyMetadata(tree, root.Attributes, Host.ProcPath(_upperFd, "."u8), _upperFd, "."u8, isDirectory: true);
            Table.SetMeta("root", "copied");
        }
        return Register(new ViewDirNode(this, root.Top.Id, null, [], root.Layers!, root.Attributes.Id));
    }

    /// <summary>The live node of an identity, if any (the one the kernel holds, or a recent one).</summary>
    public ViewNode? Live(long identity)
    {
        if (_nodes.TryGetValue(identity, out var weak) && weak.TryGetTarget(out var node))
            return node;
        return null;
    }

    public T Register<T>(T node) where T : ViewNode
    {
        _nodes[node.Identity] = new WeakReference<ViewNode>(node);
        if (++_registrations % 4096 == 0)
        {
            foreach (var (id, weak) in _nodes.ToArray())
                if (!weak.TryGetTarget(out _))
                    _nodes.Remove(id);
        }
        return node;
    }

    /// <summary>
    /// A node is dead (its last name is gone): its identity may come back (an upper inode number the
    /// host reuses), and must then be a new node for the kernel.
    /// </summary>
    public void Bury(ViewNode node)
    {
        if (Live(node.Identity) == node)
            _nodes.Remove(node.Identity);
        _epochs[node.Identity] = (_epochs.GetValueOrDefault(node.Identity) + 1) & 0xF;
        if (node is ViewDirNode dir)
            ForgetDirFd(dir);
    }

    /// <summary>An O_PATH fd of the directory's upper directory, or -1 if it has none (yet). Owned by the view: valid until the lock is left.</summary>
    public int DirFd(ViewDirNode dir)
    {
        if (dir.Removed)
            return -1;
        if (dir.Parent is null)
            return _upperFd;
        if (_dirFds.TryGetValue(dir.Key.Value, out var fd))
            return fd;
        var parent = DirFd(dir.Parent);
        if (parent < 0)
            return -1;
        if (Host.Open(parent, dir.Name, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW, 0, out fd) != 0)
            return -1;
        _dirFds[dir.Key.Value] = fd;
        return fd;
    }

    public void ForgetDirFd(ViewDirNode dir)
    {
        if (_dirFds.Remove(dir.Key.Value, out var fd))
            Host.Close(fd);
    }

    /// <summary>Remembers that a directory's entries changed: fsync makes them durable.</summary>
    public void Touched(ViewDirNode dir) => _dirty[dir.Key.Value] = dir;

    /// <summary>fsync every upper directory whose entries changed since the last time (names made durable with the data).</summary>
    public int SyncDirectories()
    {
        foreach (var dir in _dirty.Values)
        {
            var fd = DirFd(dir);
            if (fd < 0 || Host.Open(fd, "."u8, Libc.O_RDONLY | Libc.O_DIRECTORY, 0, out var real) != 0)
                continue;
            var rc = Host.Fsync(real);
            Host.Close(real);
            if (rc != 0)
                return rc;
        }
        _dirty.Clear();
        var root = Host.Open(_upperFd, "."u8, Libc.O_RDONLY | Libc.O_DIRECTORY, 0, out var rootFd);
        if (root == 0)
        {
            Host.Fsync(rootFd);
            Host.Close(rootFd);
        }
        return 0;
    }

    /// <summary>Attributes from an upper entry's statx, numbered by identity (directories: st_nlink 1, as in the image trees).</summary>
    public FuseAttr AttrOf(in Statx st, long identity, UpperRow? row = null)
    {
        var isDir = (st.Mode & Host.S_IFMT) == Host.S_IFDIR;
        return new FuseAttr
        {
            Ino = InoOf(identity),
            Size = st.Size,
            Blocks = row?.Object is not null ? (st.Size + 511) / 512 : st.Blocks,
            ATime = st.AtimeSec,
            ATimeNsec = st.AtimeNsec,
            MTime = st.MtimeSec,
            MTimeNsec = st.MtimeNsec,
            CTime = st.CtimeSec,
            CTimeNsec = st.CtimeNsec,
            Mode = st.Mode,
            NLink = isDir ? 1 : st.Nlink,
            Uid = st.Uid,
            Gid = st.Gid,
            RDev = Attributes.DeviceNumber((int)st.RdevMajor, (int)st.RdevMinor),
            BlkSize = st.BlkSize,
        };
    }

    /// <summary>
    /// Gives an entry in work/ the metadata of an image entry: owner, mode (with set-id bits, after
    /// the chown that would clear them), xattrs, times. procPath names it for the xattr calls.
    /// </summary>
    public static int CopyMetadata(TreeContext tree, EntryRow row, byte[] procPath, int dirFd, ReadOnlySpan<byte> name, bool isDirectory)
    {
        var rc = Host.Chown(dirFd, name, row.Uid, row.Gid);
        if (rc != 0)
            return rc;
        if (row.Kind != EntryKind.Symlink)
        {
            rc = Host.Chmod(dirFd, name, row.Mode);
            if (rc != 0)
                return rc;
        }
        foreach (var (key, value) in tree.Reader.Tree.Xattrs(row.Id))
        {
            rc = Host.SetXattr(procPath, Encoding.UTF8.GetBytes(key), value, 0);
            if (rc != 0)
                Serilog.Log.Warning("copy-up: xattr {Name}: errno {Errno}", key, rc);
        }
        var time = Host.Time(row.MTime, row.MTimeNs);
        return Host.SetTimes(dirFd, name, time, time);
    }

    public void Dispose()
    {
        using (Enter())
        {
            foreach (var fd in _dirFds.Values)
                Host.Close(fd);
            _dirFds.Clear();
        }
        Host.Close(_upperFd);
        Host.Close(_workFd);
        Table.Dispose();
    }
}
