using LayerFs.Fuse;
using LayerFs.Mount.Tree;
using Microsoft.Win32.SafeHandles;

namespace LayerFs.Mount.Views;

/// <summary>
/// An open file of a view: an fd of the upper file (read-write where the open may write), or of
/// the image's object for a file whose content is still the image's. The kernel may serve I/O on
/// it directly (passthrough), else READ and WRITE come here.
/// </summary>
internal sealed class ViewHandle : OpenFile
{
    private readonly SafeFileHandle? _fd;
    private readonly bool _onObject;
    private readonly bool _writable;
    private int _disposed;

    public ViewHandle(ViewFileNode node, SafeFileHandle? fd, bool onObject, bool writable)
    {
        Node = node;
        _fd = fd;
        _onObject = onObject;
        _writable = writable;
    }

    public ViewFileNode Node { get; }

    private int Fd => _fd is null ? -1 : (int)_fd.DangerousGetHandle();

    public override int PassthroughFd => Fd;

    public override int Read(long offset, Span<byte> buffer, out int bytesRead)
    {
        bytesRead = 0;
        return _fd is null ? 0 : Host.PRead(Fd, buffer, offset, out bytesRead);
    }

    public int Write(long offset, ReadOnlySpan<byte> data, out int written)
    {
        written = 0;
        return !_writable || _fd is null ? Errno.EBADF : Host.PWrite(Fd, data, offset, out written);
    }

    public int Truncate(long size) => !_writable || _fd is null ? Errno.EBADF : Host.Truncate(Fd, size);

    public int Fallocate(long offset, long length, int mode) => !_writable || _fd is null ? Errno.EBADF : Host.Fallocate(Fd, mode, offset, length);

    /// <summary>fsync: the file, then the view's directories whose names changed (a new file's name is durable with it).</summary>
    public int Fsync(bool dataOnly)
    {
        if (_fd is not null && !_onObject)
        {
            var rc = Host.Fsync(Fd, dataOnly);
            if (rc != 0)
                return rc;
        }
        using (Node.View.Enter())
            return Node.View.SyncDirectories();
    }

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        if (_onObject)
        {
            using (Node.View.Enter())
                Node.ObjectOpens--;
        }
        _fd?.Dispose();
        base.Dispose();
    }
}
