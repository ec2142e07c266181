namespace LayerFs.Store.Import.Sources;

/// <summary>A read-only window [offset, offset+length) of a file, read with pread so several can share one handle.</summary>
internal sealed class SubStream : Stream
{
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _handle;
    private readonly long _start;
    private readonly long _length;
    private long _position;

    public SubStream(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long start, long length)
    {
        _handle = handle;
        _start = start;
        _length = length;
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position { get => _position; set => _position = Math.Clamp(value, 0, _length); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var left = _length - _position;
        if (left <= 0)
            return 0;
        if (buffer.Length > left)
            buffer = buffer[..(int)left];
        var n = RandomAccess.Read(_handle, buffer, _start + _position);
        if (n == 0)
            throw new InvalidImageException("the archive is truncated");
        _position += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => _length + offset,
        };
        return _position;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
