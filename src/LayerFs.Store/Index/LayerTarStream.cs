namespace LayerFs.Store.Index;

/// <summary>A read-only, forward-only stream over a layer's rebuilt tar (for export and re-reading).</summary>
internal sealed class LayerTarStream : Stream
{
    private readonly LayerTar _tar;
    private long _position;

    public LayerTarStream(LayerTar tar) => _tar = tar;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _tar.Length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _tar.ReadAt(_position, buffer);
        _position += n;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
