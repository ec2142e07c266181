namespace LayerFs.Tar.Tests;

/// <summary>
/// Hands out the inner stream's bytes a few at a time (1 to 700 per Read, pseudo-random), the way
/// a decompressor or a pipe may, so header and data boundaries fall in the middle of reads.
/// </summary>
internal sealed class TrickleStream(Stream inner, int seed) : Stream
{
    private readonly Random _random = new(seed);

    public int Reads { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        Reads++;
        if (buffer.IsEmpty)
            return 0;
        var n = Math.Min(buffer.Length, _random.Next(1, 701));
        return inner.Read(buffer[..n]);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
