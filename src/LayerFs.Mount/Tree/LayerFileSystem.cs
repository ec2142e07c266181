using System.Collections.Concurrent;
using System.Text;
using LayerFs.Fuse;
using LayerFs.Store;
using Microsoft.Data.Sqlite;
using Serilog;

namespace LayerFs.Mount.Tree;

/// <summary>How the mounted tree behaves; the mount options that are not the binding's.</summary>
public sealed class LayerFileSystemOptions
{
    /// <summary>Hand regular files' objects to the kernel (FUSE passthrough) where it allows it.</summary>
    public bool Passthrough { get; init; } = true;
}

/// <summary>
/// The store as a filesystem (the tree of design.md): images/, layers/, views/, answered from the
/// index and the object store. Nothing is unpacked: every rootfs is its layers stacked at lookup
/// time. Everything below images/&lt;tag&gt;/ and layers/&lt;chain&gt;/ is immutable, so the kernel
/// is told to cache it for long; images/ and layers/ themselves follow the index generation.
/// Read-only, but for the views' rootfs trees (see LayerFileSystem.Views.cs).
/// </summary>
public sealed partial class LayerFileSystem : FuseFileSystem, IDisposable
{
    private const int O_ACCMODE = 3;
    private const int O_RDONLY = 0;
    private const int O_TRUNC = 0x200;
    private const int W_OK = 2;

    private readonly TreeContext _tree;
    private readonly LayerFileSystemOptions _options;
    private readonly ConcurrentDictionary<ulong, OpenFile> _files = new();
    private readonly ConcurrentDictionary<ulong, DirectoryHandle> _directories = new();
    private readonly DirectoryPasses _passes = new();
    private long _nextHandle;
    private FuseNotifier? _notifier;

    /// <summary>
    /// Directories open without OPENDIR (see <see cref="OpenDir"/>): set at INIT when the kernel
    /// allows it and the mount can drop the kernel's copy of a listing that changes unseen.
    /// </summary>
    private bool _zeroMessageOpenDir;

    public LayerFileSystem(StoreLayout layout, LayerFileSystemOptions? options = null)
    {
        _options = options ?? new LayerFileSystemOptions();
        var owner = new Owner(Posix.GetEffectiveUserId(), Interop.Libc.GetEffectiveGroupId());
        _tree = new TreeContext(layout, owner, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    internal TreeContext Tree => _tree;

    /// <summary>How many nodes the kernel holds (for tests and the memory budget).</summary>
    public int NodeCount => _tree.Nodes.Count;

    /// <summary>How many store leases the mount holds (for tests): one per chain or blob that nodes the kernel holds read from.</summary>
    public int LeaseCount => _tree.Leases.Count;

    /// <summary>How the mount tells the kernel to drop what it caches; before the session starts.</summary>
    internal void UseNotifier(FuseNotifier notifier) => _notifier = notifier;

    public override void Init(FuseConnectionInfo connection)
    {
        _zeroMessageOpenDir = connection.ZeroMessageOpenDir && _notifier is not null;
        Log.Information("FUSE {Major}.{Minor}, passthrough {Passthrough}, io_uring queues {Queues}",
            connection.ProtocolMajor, connection.ProtocolMinor, connection.PassthroughEnabled, connection.IoUringQueues);
    }

    public override void Destroy()
    {
        foreach (var file in _files.Values)
            file.Dispose();
        _files.Clear();
        _directories.Clear();
        _passes.Clear();
    }

    private FuseEntry EntryOf(Node node, in FuseAttr attr) => new()
    {
        NodeId = node.NodeId,
        Generation = _tree.Nodes.Generation(node.NodeId),
        EntryTimeout = node.EntryTimeout,
        AttrTimeout = node.AttrTimeout,
        Attr = attr,
    };

    /// <summary>Runs one operation: index and I/O failures become EIO (and a log line), never an exception into the binding.</summary>
    private static int Guard(string operation, ulong nodeId, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException or StoreException or InvalidOperationException)
        {
            Log.Warning("{Operation} on node {Node}: {Error}", operation, nodeId, e.Message);
            return Errno.EIO;
        }
    }

    public override int Lookup(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, out FuseEntry entry)
    {
        FuseEntry result = default;
        var nameBytes = name.ToArray();
        var status = Guard("lookup", parent, () =>
        {
            if (_tree.Nodes.Get(parent) is not { } node)
                return MoreErrno.ESTALE;
            var found = node.Lookup(_tree, nameBytes, out var child);
            if (found == Errno.ENOENT && node.NegativeTimeout > TimeSpan.Zero)
            {
                // A negative entry: the kernel remembers the name is absent and stops asking.
                result = new FuseEntry { NodeId = 0, EntryTimeout = node.NegativeTimeout };
                return 0;
            }
            if (found != 0)
                return found;
            var acquired = _tree.Nodes.Acquire(child.Node);
            result = EntryOf(acquired, child.Attr);
            return 0;
        });
        entry = result;
        return status;
    }

    public override void Forget(ulong nodeId, ulong nlookup)
    {
        if (_tree.Nodes.Forget(nodeId, nlookup) is { IsDirectory: true } gone)
        {
            _tree.Listings.Remove(gone);
            _passes.Remove(gone);
        }
    }

    public override int GetAttr(in FuseRequestContext ctx, ulong nodeId, ulong? fh, out FuseAttr attr, out TimeSpan attrTimeout)
    {
        FuseAttr result = default;
        var timeout = TimeSpan.Zero;
        var status = Guard("getattr", nodeId, () =>
        {
            if (_tree.Nodes.Get(nodeId) is not { } node)
                return MoreErrno.ESTALE;
            timeout = node.AttrTimeout;
            return node.GetAttr(_tree, out result);
        });
        attr = result;
        attrTimeout = timeout;
        return status;
    }

    public override int ReadLink(in FuseRequestContext ctx, ulong nodeId, out byte[] target)
    {
        byte[] result = [];
        var status = Guard("readlink", nodeId, () =>
            _tree.Nodes.Get(nodeId) is { } node ? node.ReadLink(_tree, out result) : MoreErrno.ESTALE);
        target = result;
        return status;
    }

    public override int Open(in FuseRequestContext ctx, ulong nodeId, int flags, ref FuseOpenOut open)
    {
        if (_tree.Nodes.Get(nodeId) is Views.ViewFileNode viewFile)
            return OpenView(viewFile, flags, ref open);
        if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0)
            return Errno.EROFS;
        OpenFile? file = null;
        var status = Guard("open", nodeId, () =>
            _tree.Nodes.Get(nodeId) is { } node ? node.Open(_tree, out file) : MoreErrno.ESTALE);
        if (status != 0 || file is null)
            return status != 0 ? status : Errno.EIO;
        var handle = (ulong)Interlocked.Increment(ref _nextHandle);
        _files[handle] = file;
        open.Fh = handle;
        // Never direct_io: chroot mmaps every library, and the content never changes.
        open.Flags = FuseOpenFlags.KeepCache;
        if (_options.Passthrough)
            open.PassthroughFd = file.PassthroughFd;
        return 0;
    }

    public override int Read(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, Span<byte> buffer, out int bytesRead)
    {
        bytesRead = 0;
        if (!_files.TryGetValue(fh, out var file))
            return Errno.EBADF;
        try
        {
            return file.Read(offset, buffer, out bytesRead);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warning("read of node {Node} at {Offset}: {Error}", nodeId, offset, e.Message);
            return Errno.EIO;
        }
    }

    public override int Release(in FuseRequestContext ctx, ulong nodeId, ulong fh, int flags)
    {
        if (_files.TryRemove(fh, out var file))
            file.Dispose();
        return 0;
    }

    /// <summary>
    /// Where the kernel allows it, the first OPENDIR is answered ENOSYS, and the kernel opens
    /// directories by itself from then on: an OPENDIR and a RELEASEDIR round trip less for every
    /// directory find, ls or tar enters, and the kernel keeps every listing (KEEP_CACHE and
    /// CACHE_DIR). It drops its copy when it changes a directory itself (a view's), and the
    /// directories that change with the store (<see cref="Node.KernelKeepsListing"/>) are dropped
    /// each time the kernel has read them whole (see <see cref="ReadDirectory"/>).
    /// </summary>
    public override int OpenDir(in FuseRequestContext ctx, ulong nodeId, int flags, ref FuseOpenOut open)
    {
        if (_tree.Nodes.Get(nodeId) is not { } node)
            return MoreErrno.ESTALE;
        if (!node.IsDirectory)
            return Errno.ENOTDIR;
        if (_zeroMessageOpenDir)
            return Errno.ENOSYS;
        var handle = (ulong)Interlocked.Increment(ref _nextHandle);
        _directories[handle] = new DirectoryHandle(node);
        open.Fh = handle;
        open.Flags = node.Immutable ? FuseOpenFlags.CacheDir | FuseOpenFlags.KeepCache : FuseOpenFlags.None;
        return 0;
    }

    public override int ReadDir(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, FuseDirectoryWriter writer) =>
        ReadDirectory(nodeId, fh, offset, writer, plus: false);

    public override int ReadDirPlus(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, FuseDirectoryWriter writer) =>
        ReadDirectory(nodeId, fh, offset, writer, plus: true);

    private int ReadDirectory(ulong nodeId, ulong fh, long offset, FuseDirectoryWriter writer, bool plus)
    {
        DirectoryHandle? handle;
        if (fh == 0)
        {
            // Opened by the kernel alone (handles start at 1): the pass is the node's.
            if (_tree.Nodes.Get(nodeId) is not { IsDirectory: true } dir)
                return MoreErrno.ESTALE;
            handle = _passes.For(dir);
        }
        else if (!_directories.TryGetValue(fh, out handle))
        {
            return Errno.EBADF;
        }
        return Guard(plus ? "readdirplus" : "readdir", nodeId, () =>
        {
            var status = handle.Listing(_tree, offset, out var listing);
            if (status != 0)
                return status;
            if (offset >= listing.Count + 2 && fh == 0 && !handle.Node.KernelKeepsListing)
            {
                // The end of a pass: the kernel is about to mark the listing it gathered complete
                // and keep it. This directory changes with the store, so drop the copy now: the
                // kernel finds its pages gone and asks again next time.
                _notifier?.InvalidateInode(nodeId, 0, 0);
                return 0;
            }
            // Cookie k means "continue after position k": 0 ".", 1 "..", 2.. the listing.
            for (var position = offset; position < listing.Count + 2; position++)
            {
                var next = position + 1;
                bool added;
                if (position < 2)
                {
                    var name = position == 0 ? "."u8 : ".."u8;
                    var ino = position == 0 ? handle.Node.Ino : InodeNumbers.Root;
                    if (plus)
                    {
                        // Node id 0: the kernel takes nothing from "." and "..", and counts no lookup.
                        var dot = new FuseEntry { Attr = new FuseAttr { Ino = ino, Mode = Attributes.Directory } };
                        added = writer.AddPlus(name, dot, next);
                    }
                    else
                    {
                        added = writer.Add(name, ino, Attributes.Directory, next);
                    }
                }
                else
                {
                    var item = listing[(int)position - 2];
                    if (plus)
                    {
                        var found = handle.Node.Materialize(_tree, item, out var child);
                        if (found != 0)
                            continue;
                        var node = _tree.Nodes.Acquire(child.Node);
                        added = writer.AddPlus(item.Name, EntryOf(node, child.Attr), next);
                        if (!added)
                            _tree.Nodes.Forget(node.NodeId, 1);
                    }
                    else
                    {
                        added = writer.Add(item.Name, item.Ino, item.Type, next);
                    }
                }
                if (!added)
                    break;
            }
            return 0;
        });
    }

    public override int ReleaseDir(in FuseRequestContext ctx, ulong nodeId, ulong fh)
    {
        _directories.TryRemove(fh, out _);
        return 0;
    }

    public override int GetXattr(in FuseRequestContext ctx, ulong nodeId, ReadOnlySpan<byte> name, Span<byte> buffer, out int valueSize)
    {
        var key = Encoding.UTF8.GetString(name);
        byte[] value = [];
        var status = Guard("getxattr", nodeId, () =>
            _tree.Nodes.Get(nodeId) is { } node ? node.GetXattr(_tree, key, out value) : MoreErrno.ESTALE);
        valueSize = value.Length;
        if (status != 0)
        {
            valueSize = 0;
            return status;
        }
        if (buffer.Length == 0)
            return 0;
        if (value.Length > buffer.Length)
            return Errno.ERANGE;
        value.CopyTo(buffer);
        return 0;
    }

    public override int ListXattr(in FuseRequestContext ctx, ulong nodeId, Span<byte> buffer, out int listSize)
    {
        IReadOnlyList<string> names = [];
        var status = Guard("listxattr", nodeId, () =>
            _tree.Nodes.Get(nodeId) is { } node ? node.ListXattr(_tree, out names) : MoreErrno.ESTALE);
        listSize = 0;
        if (status != 0)
            return status;
        var list = new List<byte>();
        foreach (var name in names)
        {
            list.AddRange(Encoding.UTF8.GetBytes(name));
            list.Add(0);
        }
        listSize = list.Count;
        if (buffer.Length == 0)
            return 0;
        if (list.Count > buffer.Length)
            return Errno.ERANGE;
        list.ToArray().CopyTo(buffer);
        return 0;
    }

    public override int StatFs(in FuseRequestContext ctx, ulong nodeId, out FuseStatFs stat)
    {
        stat = new FuseStatFs { BlockSize = 4096, FragmentSize = 4096, NameLength = 255 };
        return 0;
    }

    public override int Access(in FuseRequestContext ctx, ulong nodeId, int mask) =>
        (mask & W_OK) != 0 && _tree.Nodes.Get(nodeId) is not Views.ViewNode ? Errno.EROFS : 0;

    public void Dispose()
    {
        Destroy();
        _tree.Dispose();
    }
}
