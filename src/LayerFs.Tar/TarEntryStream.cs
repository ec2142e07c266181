namespace LayerFs.Tar;

/// <summary>
/// The current entry's data as a read-only stream of exactly Size bytes. It reads through the
/// reader's buffer (large reads go straight to the underlying stream) and stops working once
/// <see cref="TarReader.Next"/> moves on, so a stale reference cannot read another entry's bytes.
/// </summary>
internal sealed class TarEntryStream : Stream
{
    private readonly TarReader _reader;
    private readonly long _length;
    private bool _detached;

    public TarEntryStream(TarReader reader, long length)
    {
        _reader = reader;
        _length = length;
    }

    /// <summary>Called by the reader when the entry is left behind.</summary>
    public void Detach() => _detached = true;

    public bool IsDetached => _detached;

    public override bool CanRead => !_detached;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => _length - _reader.RemainingData(this);
        set => throw new NotSupportedException("a tar entry's data can only be read forward");
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_detached, this);
        return _reader.ReadData(this, buffer);
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    // The underlying read is synchronous (the reader parses in place), so async is a completed wrapper.
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("a tar entry's data can only be read forward");
    public override void SetLength(long value) => throw new NotSupportedException("a tar entry's data is read-only");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("a tar entry's data is read-only");

    protected override void Dispose(bool disposing)
    {
        // Disposing the data stream (e.g. a `using`) must not end the archive; it only detaches.
        _detached = true;
        base.Dispose(disposing);
    }
}
