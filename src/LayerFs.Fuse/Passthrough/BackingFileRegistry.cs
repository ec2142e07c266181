using System.Runtime.InteropServices;
using LayerFs.Fuse.Interop;
using LayerFs.Fuse.Protocol;
using Serilog;

namespace LayerFs.Fuse.Passthrough;

/// <summary>
/// Backing ids for FUSE passthrough. The kernel allows one backing file per inode, and every open of
/// an inode that is in passthrough mode must name that same file, so ids are kept per node id and
/// reference-counted across the handles that use them; the id is closed when the last such handle
/// is released (closing it earlier makes later opens fail). The first refusal from the kernel (EPERM
/// without CAP_SYS_ADMIN in the initial namespace, ELOOP for a too deeply stacked backing file, ...)
/// turns passthrough off for the rest of the session; ids already handed out stay in use.
/// An open whose fd is another file than the node's registered one (a writable view's file
/// copied up while its image object is still open) gets no passthrough: reusing the old id
/// would send its I/O to the wrong file.
/// </summary>
internal sealed class BackingFileRegistry
{
    private readonly Lock gate = new();
    private readonly Dictionary<ulong, NodeBacking> byNode = [];
    private readonly Dictionary<(ulong Node, ulong Fh), int> handles = [];
    private readonly FuseDeviceHandle device;
    private readonly ILogger log;
    private volatile bool enabled;
    private int handleCount;

    public BackingFileRegistry(FuseDeviceHandle device, bool enabled, ILogger log)
    {
        this.device = device;
        this.enabled = enabled;
        this.log = log;
    }

    /// <summary>Whether new backing files are still being registered.</summary>
    public bool Enabled => enabled;

    /// <summary>
    /// Gets the backing id for this node (registering fd if the node has none) and counts the handle
    /// (node, fh) as a user of it. False when passthrough is off or the kernel refused the fd.
    /// </summary>
    public bool TryAcquire(ulong node, ulong fh, int fd, out int backingId)
    {
        lock (gate)
        {
            var file = FileOf(fd);
            if (byNode.TryGetValue(node, out var backing))
            {
                if (backing.File != file)
                {
                    backingId = 0;
                    return false;
                }
            }
            else
            {
                if (!enabled || !TryRegister(fd, out var id))
                {
                    backingId = 0;
                    return false;
                }
                backing = new NodeBacking(id, file);
                byNode[node] = backing;
            }
            backing.Users++;
            handles[(node, fh)] = handles.GetValueOrDefault((node, fh)) + 1;
            handleCount++;
            backingId = backing.Id;
            return true;
        }
    }

    /// <summary>Drops the reference of handle (node, fh), if it holds one; the last one closes the id. Costs nothing while no handle holds any.</summary>
    public void Release(ulong node, ulong fh)
    {
        if (Volatile.Read(ref handleCount) == 0)
            return;
        lock (gate)
        {
            if (!handles.TryGetValue((node, fh), out var count))
                return;
            if (count == 1)
                handles.Remove((node, fh));
            else
                handles[(node, fh)] = count - 1;
            handleCount--;
            var backing = byNode[node];
            if (--backing.Users == 0)
            {
                byNode.Remove(node);
                Close(backing.Id);
            }
        }
    }

    /// <summary>At session end: the kernel frees ids with the connection, but say goodbye properly while it is alive.</summary>
    public void CloseAll()
    {
        lock (gate)
        {
            foreach (var backing in byNode.Values)
                Close(backing.Id);
            byNode.Clear();
            handles.Clear();
            handleCount = 0;
        }
    }

    /// <summary>Which file an fd is (device and inode); zero if it cannot be told.</summary>
    private static unsafe (uint, uint, ulong) FileOf(int fd)
    {
        Statx st;
        if (Libc.Statx(fd, "", Libc.AT_EMPTY_PATH, Libc.STATX_TYPE, &st) != 0)
            return default;
        return (st.DevMajor, st.DevMinor, st.Ino);
    }

    private unsafe bool TryRegister(int fd, out int id)
    {
        var map = new BackingMap { Fd = fd };
        id = Libc.Ioctl(device, DeviceIoctl.BackingOpen, &map);
        if (id > 0)
            return true;
        var errno = Marshal.GetLastPInvokeError();
        enabled = false;
        log.Warning("fuse: the kernel refused a passthrough backing file ({Error}); file I/O goes through the daemon from now on", Errors.Describe(errno));
        return false;
    }

    private unsafe void Close(int id)
    {
        var arg = (uint)id;
        if (Libc.Ioctl(device, DeviceIoctl.BackingClose, &arg) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            // ENODEV/ENOTCONN after an abort: the connection took its ids with it.
            if (errno is not (Errno.ENODEV or Errno.ENOTCONN or Errno.ECONNABORTED or Errno.EBADF))
                log.Debug("fuse: closing backing id {Id}: {Error}", id, Errors.Describe(errno));
        }
    }

    private sealed class NodeBacking
    {
        public NodeBacking(int id, (uint, uint, ulong) file)
        {
            Id = id;
            File = file;
        }

        public int Id { get; }

        /// <summary>The backing file's device and inode.</summary>
        public (uint, uint, ulong) File { get; }

        public int Users { get; set; }
    }
}
