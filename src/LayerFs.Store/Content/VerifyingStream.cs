using System.Security.Cryptography;

namespace LayerFs.Store.Content;

/// <summary>
/// Reads through to an inner stream, hashing and counting; at the end of the stream it throws
/// if the content did not match the expected digest and size (as umoci's VerifiedReadCloser).
/// </summary>
public sealed class VerifyingStream : Stream
{
    private readonly Stream _inner;
    private readonly Digest _expected;
    private readonly long _expectedSize;
    private readonly string _what;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _read;
    private bool _verified;

    public VerifyingStream(Stream inner, Digest expected, long expectedSize, string what)
    {
        _inner = inner;
        _expected = expected;
        _expectedSize = expectedSize;
        _what = what;
    }

    public long BytesRead => _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _expectedSize;
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        if (n > 0)
        {
            _hash.AppendData(buffer[..n]);
            _read += n;
            if (_read > _expectedSize)
                throw new InvalidImageException($"{_what} is longer than the {_expectedSize} bytes its descriptor says");
        }
        else if (buffer.Length > 0)
        {
            Verify();
        }
        return n;
    }

    /// <summary>Reads whatever is left and checks the digest; for callers that stop early.</summary>
    public void Drain()
    {
        var buffer = new byte[1 << 16];
        while (Read(buffer) > 0)
        {
        }
        Verify();
    }

    private void Verify()
    {
        if (_verified)
            return;
        _verified = true;
        if (_read != _expectedSize)
            throw new InvalidImageException($"{_what} is truncated: {_read} of {_expectedSize} bytes");
        var actual = Digest.FromHash(_hash.GetHashAndReset());
        if (actual != _expected)
            throw new InvalidImageException($"{_what} does not match its digest {_expected} (content hashes to {actual})");
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
