using System.Security.Cryptography;

namespace LayerFs.Store.Import;

/// <summary>
/// Reads through, hashing and counting; optionally copies every byte to a sink (used to write a
/// compressed layer blob into the content store while it is being decompressed, in one pass) and
/// checks a limit on each read (the decompression-bomb guard).
/// </summary>
internal sealed class HashingReadStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Action<ReadOnlySpan<byte>>? _sink;
    private readonly Action<long>? _onProgress;
    private byte[]? _digest;

    public HashingReadStream(Stream inner, Action<ReadOnlySpan<byte>>? sink = null, Action<long>? onProgress = null)
    {
        _inner = inner;
        _sink = sink;
        _onProgress = onProgress;
    }

    public long BytesRead { get; private set; }

    /// <summary>Called after every read with the total so far; throws to abort.</summary>
    public Action<long>? Limit { get; init; }

    public Digest Digest => Digest.FromHash(_digest ??= _hash.GetHashAndReset());

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        if (n > 0)
        {
            var data = buffer[..n];
            _hash.AppendData(data);
            _sink?.Invoke(data);
            BytesRead += n;
            Limit?.Invoke(BytesRead);
            _onProgress?.Invoke(n);
        }
        return n;
    }

    /// <summary>Reads to the end, so that the digest covers every byte (trailing data included).</summary>
    public void Drain()
    {
        var buffer = new byte[1 << 16];
        while (Read(buffer) > 0)
        {
        }
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
