using LayerFs.Fuse;
using LayerFs.Store.Index;
using Microsoft.Win32.SafeHandles;

namespace LayerFs.Mount.Tree;

/// <summary>An open file's content: what READ serves, and what RELEASE lets go of.</summary>
internal abstract class OpenFile : IDisposable
{
    /// <summary>An fd the kernel may read from directly (FUSE passthrough), or -1.</summary>
    public virtual int PassthroughFd => -1;

    public abstract int Read(long offset, Span<byte> buffer, out int bytesRead);

    public virtual void Dispose()
    {
    }
}

/// <summary>
/// A regular file of a layer: its object, held open from OPEN to RELEASE. The open fd is what
/// keeps a file readable while its image is removed (the store may unlink the object; the
/// open file stays), and what passthrough hands to the kernel.
/// </summary>
internal sealed class ObjectFile : OpenFile
{
    /// <summary>
    /// The smallest file handed to the kernel by passthrough. A passthrough open costs two ioctls
    /// (backing open and close), and every read through it invalidates the FUSE inode's atime, so
    /// the next stat (tar's, after reading) is a GETATTR round trip. A small file is better
    /// served the ordinary way: one READ fills the page cache, which KEEP_CACHE keeps, and warm
    /// opens then cost one OPEN and nothing else. Large files (sequential and random I/O) gain
    /// from passthrough what the round trips cost.
    /// </summary>
    public const long PassthroughMinSize = 1 << 20;

    private readonly SafeFileHandle _handle;
    private readonly bool _passthrough;

    public ObjectFile(SafeFileHandle handle, long size)
    {
        _handle = handle;
        _passthrough = size >= PassthroughMinSize;
    }

    public override int PassthroughFd => _passthrough ? (int)_handle.DangerousGetHandle() : -1;

    public override int Read(long offset, Span<byte> buffer, out int bytesRead)
    {
        bytesRead = 0;
        while (bytesRead < buffer.Length)
        {
            var n = RandomAccess.Read(_handle, buffer[bytesRead..], offset + bytesRead);
            if (n <= 0)
                break;
            bytesRead += n;
        }
        return 0;
    }

    public override void Dispose()
    {
        _handle.Dispose();
        base.Dispose();
    }
}

/// <summary>Content generated in memory: json, manifest.json, an empty file.</summary>
internal sealed class BytesFile : OpenFile
{
    private readonly byte[] _content;

    public BytesFile(byte[] content) => _content = content;

    public override int Read(long offset, Span<byte> buffer, out int bytesRead)
    {
        bytesRead = 0;
        if (offset >= _content.Length)
            return 0;
        var n = (int)Math.Min(buffer.Length, _content.Length - offset);
        _content.AsSpan((int)offset, n).CopyTo(buffer);
        bytesRead = n;
        return 0;
    }
}

/// <summary>
/// A layer's tar, rebuilt from the index and the objects on every read. The tar pins its layer
/// from OPEN to RELEASE, so it stays readable while its image is removed.
/// </summary>
internal sealed class LayerTarFile : OpenFile
{
    private readonly LayerTar _tar;

    public LayerTarFile(LayerTar tar) => _tar = tar;

    public override void Dispose()
    {
        _tar.Dispose();
        base.Dispose();
    }

    public override int Read(long offset, Span<byte> buffer, out int bytesRead)
    {
        bytesRead = 0;
        if (offset >= _tar.Length)
            return 0;
        try
        {
            bytesRead = _tar.ReadAt(offset, buffer);
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LayerFs.Store.StoreException)
        {
            Serilog.Log.Warning("layer.tar read at {Offset}: {Error}", offset, e.Message);
            return Errno.EIO;
        }
    }
}
