namespace LayerFs.Fuse;

/// <summary>
/// The inode-level filesystem interface, as libfuse's low-level API and go-fuse's
/// RawFileSystem: the kernel names nodes by a 64-bit node id (1 is the root), never by
/// path, so hard links are simply two names of one node.
///
/// Every method returns 0 or a positive errno (see <see cref="Errno"/>). The default
/// of each is ENOSYS; the binding remembers an ENOSYS answer and does not ask that
/// operation again (the kernel itself stops asking for most of them).
///
/// Methods are called concurrently from several reader threads and must be
/// thread-safe. Names are raw bytes (no NUL); Linux names need not be UTF-8.
///
/// Lookup counts: each successful Lookup, Create, MkNod, MkDir, Symlink, Link and each
/// ReadDirPlus entry with a non-zero node id adds one to the node's count; Forget
/// subtracts. A node may be dropped only when its count reaches zero.
///
/// The session tells which operations a filesystem overrides by reflection (it asks the kernel
/// for READDIRPLUS only if ReadDirPlus is overridden): the annotation keeps the public methods of
/// every filesystem class for that, also in a trimmed or ahead-of-time compiled program.
/// </summary>
[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicMethods)]
public abstract class FuseFileSystem
{
    /// <summary>Called once the INIT handshake is done, before any other request.</summary>
    public virtual void Init(FuseConnectionInfo connection) { }

    /// <summary>Called on FUSE_DESTROY or when the session ends.</summary>
    public virtual void Destroy() { }

    public virtual int Lookup(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, out FuseEntry entry)
    {
        entry = default;
        return Errno.ENOSYS;
    }

    /// <summary>No reply is sent. nlookup is how many lookups the kernel gives back.</summary>
    public virtual void Forget(ulong nodeId, ulong nlookup) { }

    public virtual int GetAttr(in FuseRequestContext ctx, ulong nodeId, ulong? fh, out FuseAttr attr, out TimeSpan attrTimeout)
    {
        attr = default;
        attrTimeout = default;
        return Errno.ENOSYS;
    }

    public virtual int SetAttr(in FuseRequestContext ctx, ulong nodeId, in FuseSetAttr changes, out FuseAttr attr, out TimeSpan attrTimeout)
    {
        attr = default;
        attrTimeout = default;
        return Errno.ENOSYS;
    }

    /// <summary>The link target, as raw bytes.</summary>
    public virtual int ReadLink(in FuseRequestContext ctx, ulong nodeId, out byte[] target)
    {
        target = [];
        return Errno.ENOSYS;
    }

    public virtual int Symlink(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out FuseEntry entry)
    {
        entry = default;
        return Errno.ENOSYS;
    }

    public virtual int MkNod(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, uint mode, uint rdev, uint umask, out FuseEntry entry)
    {
        entry = default;
        return Errno.ENOSYS;
    }

    public virtual int MkDir(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, uint mode, uint umask, out FuseEntry entry)
    {
        entry = default;
        return Errno.ENOSYS;
    }

    public virtual int Unlink(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name) => Errno.ENOSYS;

    public virtual int RmDir(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name) => Errno.ENOSYS;

    public virtual int Rename(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, FuseRenameFlags flags) => Errno.ENOSYS;

    public virtual int Link(in FuseRequestContext ctx, ulong nodeId, ulong newParent, ReadOnlySpan<byte> newName, out FuseEntry entry)
    {
        entry = default;
        return Errno.ENOSYS;
    }

    /// <summary>flags are the open(2) flags. Set open.Fh to find the file again in Read/Write/Release.</summary>
    public virtual int Open(in FuseRequestContext ctx, ulong nodeId, int flags, ref FuseOpenOut open) => Errno.ENOSYS;

    public virtual int Create(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, uint mode, uint umask, int flags, out FuseEntry entry, ref FuseOpenOut open)
    {
        entry = default;
        return Errno.ENOSYS;
    }

    /// <summary>Fill buffer from offset; bytesRead short of buffer.Length means end of file.</summary>
    public virtual int Read(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, Span<byte> buffer, out int bytesRead)
    {
        bytesRead = 0;
        return Errno.ENOSYS;
    }

    public virtual int Write(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, ReadOnlySpan<byte> data, uint writeFlags, out int bytesWritten)
    {
        bytesWritten = 0;
        return Errno.ENOSYS;
    }

    public virtual int Flush(in FuseRequestContext ctx, ulong nodeId, ulong fh, ulong lockOwner) => Errno.ENOSYS;

    /// <summary>No error reaches the program that closed the file; the reply only ends the request.</summary>
    public virtual int Release(in FuseRequestContext ctx, ulong nodeId, ulong fh, int flags) => 0;

    public virtual int Fsync(in FuseRequestContext ctx, ulong nodeId, ulong fh, bool dataOnly) => Errno.ENOSYS;

    public virtual int StatFs(in FuseRequestContext ctx, ulong nodeId, out FuseStatFs stat)
    {
        stat = default;
        return Errno.ENOSYS;
    }

    public virtual int SetXattr(in FuseRequestContext ctx, ulong nodeId, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags) => Errno.ENOSYS;

    /// <summary>
    /// With an empty buffer, answer the value's size in valueSize; otherwise copy the value and
    /// answer ERANGE if it does not fit. ENODATA when there is no such attribute.
    /// </summary>
    public virtual int GetXattr(in FuseRequestContext ctx, ulong nodeId, ReadOnlySpan<byte> name, Span<byte> buffer, out int valueSize)
    {
        valueSize = 0;
        return Errno.ENOSYS;
    }

    /// <summary>Names, each followed by a NUL; same size protocol as GetXattr.</summary>
    public virtual int ListXattr(in FuseRequestContext ctx, ulong nodeId, Span<byte> buffer, out int listSize)
    {
        listSize = 0;
        return Errno.ENOSYS;
    }

    public virtual int RemoveXattr(in FuseRequestContext ctx, ulong nodeId, ReadOnlySpan<byte> name) => Errno.ENOSYS;

    public virtual int OpenDir(in FuseRequestContext ctx, ulong nodeId, int flags, ref FuseOpenOut open) => Errno.ENOSYS;

    /// <summary>
    /// Add entries starting after the cookie <paramref name="offset"/> (0 = from the start) until
    /// <see cref="FuseDirectoryWriter.Add"/> returns false. Each entry carries the cookie of the entry after it.
    /// </summary>
    public virtual int ReadDir(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, FuseDirectoryWriter writer) => Errno.ENOSYS;

    /// <summary>As ReadDir, with <see cref="FuseDirectoryWriter.AddPlus"/>; each entry with a node id counts as a lookup.</summary>
    public virtual int ReadDirPlus(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, FuseDirectoryWriter writer) => Errno.ENOSYS;

    public virtual int ReleaseDir(in FuseRequestContext ctx, ulong nodeId, ulong fh) => 0;

    public virtual int FsyncDir(in FuseRequestContext ctx, ulong nodeId, ulong fh, bool dataOnly) => Errno.ENOSYS;

    public virtual int Access(in FuseRequestContext ctx, ulong nodeId, int mask) => Errno.ENOSYS;

    public virtual int Fallocate(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, long length, int mode) => Errno.ENOSYS;

    public virtual int Lseek(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, int whence, out long resultOffset)
    {
        resultOffset = 0;
        return Errno.ENOSYS;
    }
}
