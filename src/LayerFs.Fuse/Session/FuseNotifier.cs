using System.Runtime.InteropServices;
using System.Text;
using LayerFs.Fuse.Interop;
using LayerFs.Fuse.Protocol;

namespace LayerFs.Fuse;

/// <summary>
/// Tells the kernel to forget what it cached, for a filesystem whose contents change behind the
/// kernel's back. Callable from any thread at any time after Start; each call is one writev of a
/// notification (unique 0, the notify code in the error field). Returns 0 or an errno: ENOENT when
/// the kernel has nothing cached for that node or name, ENOTCONN when the session is not running.
/// Do not call while holding a lock that a filesystem operation may wait for, and not from inside an
/// operation on the same directory: the kernel takes the directory's lock to apply the notification.
/// </summary>
public sealed unsafe class FuseNotifier
{
    private const uint InvalMinor = 12;
    private const uint DeleteMinor = 18;
    private readonly FuseSession session;

    internal FuseNotifier(FuseSession session) => this.session = session;

    /// <summary>Drops the cached attributes of a node and the cached pages in [offset, offset+length) (length 0: to the end; offset &lt; 0: attributes only).</summary>
    public int InvalidateInode(ulong ino, long offset, long length)
    {
        if (!Supports(InvalMinor))
            return Errno.ENOTCONN;
        var body = new NotifyInvalInodeOut { Ino = ino, Off = offset, Len = length };
        return Send(FuseNotifyCode.InvalInode, &body, sizeof(NotifyInvalInodeOut), default);
    }

    /// <summary>Drops the cached entry parent/name (positive or negative).</summary>
    public int InvalidateEntry(ulong parent, ReadOnlySpan<byte> name) => InvalidateEntry(parent, name, expireOnly: false);

    /// <summary>
    /// As <see cref="InvalidateEntry(ulong, ReadOnlySpan{byte})"/>; with expireOnly the entry is only
    /// marked stale (kept for programs that have it open) — needs a kernel offering FUSE_HAS_EXPIRE_ONLY.
    /// </summary>
    public int InvalidateEntry(ulong parent, ReadOnlySpan<byte> name, bool expireOnly)
    {
        if (!Supports(InvalMinor))
            return Errno.ENOTCONN;
        if (expireOnly && (session.Connection.KernelFlags & (ulong)FuseInitFlags.HasExpireOnly) == 0)
            return Errno.EOPNOTSUPP;
        if (name.Length is 0 or > FuseKernel.NameMax)
            return name.Length == 0 ? Errno.EINVAL : Errno.ENAMETOOLONG;
        var body = new NotifyInvalEntryOut
        {
            Parent = parent,
            NameLen = (uint)name.Length,
            Flags = expireOnly ? FuseNotifyInvalEntryFlags.ExpireOnly : 0,
        };
        return Send(FuseNotifyCode.InvalEntry, &body, sizeof(NotifyInvalEntryOut), name);
    }

    /// <summary>
    /// Tells the kernel that parent/name (which was child) is gone: the entry is dropped and, if
    /// the kernel had it cached, the child is treated as deleted (as after unlink).
    /// </summary>
    public int Delete(ulong parent, ulong child, ReadOnlySpan<byte> name)
    {
        if (!Supports(DeleteMinor))
            return session.IsRunning ? Errno.ENOSYS : Errno.ENOTCONN;
        if (name.Length is 0 or > FuseKernel.NameMax)
            return name.Length == 0 ? Errno.EINVAL : Errno.ENAMETOOLONG;
        var body = new NotifyDeleteOut { Parent = parent, Child = child, NameLen = (uint)name.Length };
        return Send(FuseNotifyCode.Delete, &body, sizeof(NotifyDeleteOut), name);
    }

    public int InvalidateEntry(ulong parent, string name) => InvalidateEntry(parent, Encoding.UTF8.GetBytes(name));

    public int Delete(ulong parent, ulong child, string name) => Delete(parent, child, Encoding.UTF8.GetBytes(name));

    private bool Supports(uint minor) => session.IsRunning && session.Connection.ProtocolMinor >= minor;

    /// <summary>Header, fixed body and (for entry notifications) the name plus its NUL, in one writev.</summary>
    private int Send(FuseNotifyCode code, void* body, int bodySize, ReadOnlySpan<byte> name)
    {
        var header = new OutHeader { Error = (int)code, Unique = 0 };
        byte nul = 0;
        fixed (byte* namePtr = name)
        {
            var iov = stackalloc IoVec[4];
            iov[0] = new IoVec(&header, (nuint)sizeof(OutHeader));
            iov[1] = new IoVec(body, (nuint)bodySize);
            var count = 2;
            if (!name.IsEmpty)
            {
                iov[2] = new IoVec(namePtr, (nuint)name.Length);
                iov[3] = new IoVec(&nul, 1);
                count = 4;
            }
            header.Len = (uint)(sizeof(OutHeader) + bodySize + (name.IsEmpty ? 0 : name.Length + 1));
            try
            {
                return Libc.Writev(session.Device, iov, count) >= 0 ? 0 : Marshal.GetLastPInvokeError();
            }
            catch (ObjectDisposedException)
            {
                return Errno.ENOTCONN;
            }
        }
    }
}
