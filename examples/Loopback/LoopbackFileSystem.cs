using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using LayerFs.Examples.Loopback.Interop;
using LayerFs.Fuse;

namespace LayerFs.Examples.Loopback;

/// <summary>
/// Mirrors a directory, in the manner of libfuse's passthrough_hp: hard links share one node by
/// (st_dev, st_ino), open files are real fds of the source files (offered to the kernel for
/// passthrough), attributes come from statx of the source. Directories are held by O_PATH fds and
/// other files by name within them (see <see cref="Inode"/>).
/// </summary>
internal sealed unsafe partial class LoopbackFileSystem : FuseFileSystem, IDisposable
{
    /// <summary>"" for the *at calls with AT_EMPTY_PATH.</summary>
    private static readonly byte[] EmptyPath = [0];

    private readonly InodeTable inodes;
    private readonly LoopbackOptions options;
    private readonly ConcurrentDictionary<ulong, DirectoryHandle> directories = new();
    private readonly bool runningAsRoot = Libc.Geteuid() == 0;
    private long nextDirectoryHandle;
    private bool passthrough;

    public LoopbackFileSystem(string source, LoopbackOptions options)
    {
        this.options = options;
        var path = System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(source) + "\0");
        int fd;
        fixed (byte* p = path)
            fd = Libc.Openat(Libc.AT_FDCWD, p, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
            throw new IOException($"{source}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        var rc = Stat(fd, EmptyPath, Libc.AT_EMPTY_PATH, out var st);
        if (rc != 0)
        {
            Libc.Close(fd);
            throw new IOException($"{source}: {Marshal.GetPInvokeErrorMessage(rc)}");
        }
        inodes = new InodeTable(fd, DeviceOf(st), st.Ino);
    }

    /// <summary>Nodes the kernel currently holds (for tests and leak hunting).</summary>
    public int NodeCount => inodes.Count;

    public override void Init(FuseConnectionInfo connection) =>
        passthrough = options.Passthrough && connection.PassthroughEnabled;

    public override void Destroy()
    {
        foreach (var handle in directories.Values)
            handle.Dispose();
        directories.Clear();
    }

    public void Dispose()
    {
        Destroy();
        inodes.Dispose();
    }

    public override int Lookup(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, out FuseEntry entry)
    {
        entry = default;
        var dir = inodes.Get(parent);
        if (dir is null)
            return Errno.ESTALE;
        // "." and ".." (asked only for NFS export): never climb above the source root.
        if (IsDot(name) || (IsDotDot(name) && dir == inodes.Root))
        {
            inodes.AddLookup(dir);
            var rc = GetAttr(dir, out var attr);
            if (rc != 0)
            {
                inodes.Forget(dir.NodeId, 1);
                return rc;
            }
            entry = MakeEntry(dir, attr);
            return 0;
        }
        return LookupChild(dir, name, out entry);
    }

    public override void Forget(ulong nodeId, ulong nlookup) => inodes.Forget(nodeId, nlookup);

    public override int GetAttr(in FuseRequestContext ctx, ulong nodeId, ulong? fh, out FuseAttr attr, out TimeSpan attrTimeout)
    {
        attr = default;
        attrTimeout = options.Timeout;
        var inode = inodes.Get(nodeId);
        return inode is null ? Errno.ESTALE : GetAttr(inode, out attr);
    }

    public override int ReadLink(in FuseRequestContext ctx, ulong nodeId, out byte[] target)
    {
        target = [];
        var inode = inodes.Get(nodeId);
        if (inode is null)
            return Errno.ESTALE;
        var rc = Resolve(inode, out var dirFd, out var path, out _);
        if (rc != 0)
            return rc;
        const int PathMax = 4096;
        var buffer = stackalloc byte[PathMax];
        nint n;
        fixed (byte* p = path)
            n = Libc.Readlinkat(dirFd, p, buffer, PathMax);
        if (n < 0)
            return Marshal.GetLastPInvokeError();
        target = new ReadOnlySpan<byte>(buffer, (int)n).ToArray();
        return 0;
    }

    public override int StatFs(in FuseRequestContext ctx, ulong nodeId, out FuseStatFs stat)
    {
        stat = default;
        var inode = inodes.Get(nodeId) ?? inodes.Root;
        if (Resolve(inode, out var dirFd, out _, out _) != 0)
            dirFd = inodes.Root.Fd;
        Statvfs st;
        if (Libc.Fstatvfs(dirFd, &st) != 0)
            return Marshal.GetLastPInvokeError();
        stat = new FuseStatFs
        {
            Blocks = st.Blocks,
            BlocksFree = st.Bfree,
            BlocksAvailable = st.Bavail,
            Files = st.Files,
            FilesFree = st.Ffree,
            BlockSize = (uint)st.Bsize,
            NameLength = (uint)st.Namemax,
            FragmentSize = (uint)st.Frsize,
        };
        return 0;
    }

    public override int Access(in FuseRequestContext ctx, ulong nodeId, int mask)
    {
        var inode = inodes.Get(nodeId);
        if (inode is null)
            return Errno.ESTALE;
        var rc = Resolve(inode, out var dirFd, out var path, out var emptyPath);
        if (rc != 0)
            return rc;
        fixed (byte* p = path)
            return Libc.Faccessat(dirFd, p, mask, emptyPath | Libc.AT_SYMLINK_NOFOLLOW) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// Where a node can be reached now: a directory by its own fd (path "" with AT_EMPTY_PATH), anything
    /// else by the first of its names whose directory is still known. ESTALE if none is.
    /// </summary>
    private int Resolve(Inode inode, out int dirFd, out byte[] path, out int emptyPathFlag)
    {
        if (inode.IsDirectory)
        {
            dirFd = inode.Fd;
            path = EmptyPath;
            emptyPathFlag = Libc.AT_EMPTY_PATH;
            return 0;
        }
        emptyPathFlag = 0;
        foreach (var location in inode.Locations)
        {
            if (inodes.Get(location.Parent) is { } dir)
            {
                dirFd = dir.Fd;
                path = location.NameZ;
                return 0;
            }
        }
        dirFd = -1;
        path = EmptyPath;
        return Errno.ESTALE;
    }

    /// <summary>statx of the node; ESTALE if its name now names a different file (changed behind our back).</summary>
    private int GetAttr(Inode inode, out FuseAttr attr)
    {
        attr = default;
        var rc = Resolve(inode, out var dirFd, out var path, out var emptyPath);
        if (rc != 0)
            return rc;
        rc = Stat(dirFd, path, emptyPath, out var st);
        if (rc != 0)
            return rc;
        if (st.Ino != inode.InodeNumber || DeviceOf(st) != inode.Device)
            return Errno.ESTALE;
        attr = st.ToFuseAttr();
        return 0;
    }

    /// <summary>Looks name up in dir: its statx (and, for a directory, an O_PATH fd) and its node, one more lookup.</summary>
    private int LookupChild(Inode dir, ReadOnlySpan<byte> name, out FuseEntry entry)
    {
        entry = default;
        var cname = stackalloc byte[name.Length + 1];
        NativeText.Terminate(name, new Span<byte>(cname, name.Length + 1));
        Statx st;
        if (Libc.StatxCall(dir.Fd, cname, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &st) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.ENOENT && options.Timeout > TimeSpan.Zero)
            {
                // A negative entry: the kernel may remember for a while that the name does not exist.
                entry.EntryTimeout = options.Timeout;
                return 0;
            }
            return errno;
        }
        var fd = -1;
        if ((st.Mode & FileTypes.Mask) == FileTypes.Directory)
        {
            fd = Libc.Openat(dir.Fd, cname, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
            if (fd < 0)
                return Marshal.GetLastPInvokeError();
            // Describe the directory the fd holds, should the name have changed in between.
            var rc = Stat(fd, EmptyPath, Libc.AT_EMPTY_PATH, out st);
            if (rc != 0)
            {
                Libc.Close(fd);
                return rc;
            }
        }
        var inode = inodes.Remember(DeviceOf(st), st.Ino, st.Mode & FileTypes.Mask, fd, dir.NodeId, name);
        entry = MakeEntry(inode, st.ToFuseAttr());
        return 0;
    }

    private FuseEntry MakeEntry(Inode inode, in FuseAttr attr) => new()
    {
        NodeId = inode.NodeId,
        Generation = 0,
        EntryTimeout = options.Timeout,
        AttrTimeout = options.Timeout,
        Attr = attr,
    };

    private static int Stat(int dirFd, byte[] path, int flags, out Statx st)
    {
        fixed (byte* p = path)
        fixed (Statx* s = &st)
            return Libc.StatxCall(dirFd, p, flags | Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, s) == 0
                ? 0
                : Marshal.GetLastPInvokeError();
    }

    /// <summary>(device, inode) of parent/name, to find its node before a rename or unlink changes names.</summary>
    private static bool TryIdentify(int dirFd, byte* cname, out ulong device, out ulong inodeNumber)
    {
        Statx st;
        var ok = Libc.StatxCall(dirFd, cname, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &st) == 0;
        device = ok ? DeviceOf(st) : 0;
        inodeNumber = ok ? st.Ino : 0;
        return ok;
    }

    private static ulong DeviceOf(in Statx st) => ((ulong)st.DevMajor << 32) | st.DevMinor;

    /// <summary>new_decode_dev, then glibc's makedev for mknodat.</summary>
    private static ulong DecodeDevice(uint rdev)
    {
        ulong major = (rdev & 0xfff00) >> 8;
        ulong minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
        return ((major & 0xfffff000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffffff00) << 12) | (minor & 0xff);
    }

    private static bool IsDot(ReadOnlySpan<byte> name) => name.Length == 1 && name[0] == '.';

    private static bool IsDotDot(ReadOnlySpan<byte> name) => name.Length == 2 && name[0] == '.' && name[1] == '.';
}
