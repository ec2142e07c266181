using System.Buffers;

namespace LayerFs.Tar;

/// <summary>
/// A forward-only buffered view of the underlying stream. Layers usually arrive through a
/// GZipStream or zstd DecompressionStream, where each Read call has a fixed cost and seeking is
/// impossible, so headers are parsed out of one large buffer and big data reads bypass it.
/// </summary>
internal sealed class TarInput : IDisposable
{
    private const int BufferSize = 128 * 1024;

    /// <summary>Reads at least this large go straight from the stream into the caller's memory.</summary>
    private const int DirectReadThreshold = 32 * 1024;

    private readonly Stream _stream;
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _start;
    private int _end;
    private bool _endOfStream;

    public TarInput(Stream stream)
    {
        _stream = stream;
    }

    /// <summary>Bytes handed out so far (buffered bytes not yet consumed do not count).</summary>
    public long Position { get; private set; }

    public int Available => _end - _start;

    public ReadOnlySpan<byte> Buffered => Buffer.AsSpan(_start, _end - _start);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(TarReader));

    /// <summary>Buffers at least <paramref name="count"/> bytes unless the stream ends first; returns how many are buffered.</summary>
    public int Fill(int count)
    {
        var buffer = Buffer;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, buffer.Length);
        if (Available >= count)
            return Available;
        if (buffer.Length - _start < count)
        {
            buffer.AsSpan(_start, Available).CopyTo(buffer);
            _end -= _start;
            _start = 0;
        }
        while (Available < count && !_endOfStream)
        {
            var n = _stream.Read(buffer, _end, buffer.Length - _end);
            if (n <= 0)
                _endOfStream = true;
            else
                _end += n;
        }
        return Available;
    }

    public void Consume(int count)
    {
        _start += count;
        Position += count;
        if (_start == _end)
            _start = _end = 0;
    }

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes; 0 only at the end of the stream.</summary>
    public int Read(Span<byte> destination)
    {
        if (destination.IsEmpty)
            return 0;
        if (Available == 0)
        {
            if (_endOfStream)
                return 0;
            if (destination.Length >= DirectReadThreshold)
            {
                var direct = _stream.Read(destination);
                if (direct <= 0)
                {
                    _endOfStream = true;
                    return 0;
                }
                Position += direct;
                return direct;
            }
            if (Fill(1) == 0)
                return 0;
        }
        var n = Math.Min(destination.Length, Available);
        Buffered[..n].CopyTo(destination);
        Consume(n);
        return n;
    }

    /// <summary>Discards up to <paramref name="count"/> bytes; returns how many were there.</summary>
    public long Skip(long count)
    {
        var skipped = 0L;
        while (skipped < count)
        {
            if (Available == 0 && Fill(1) == 0)
                break;
            var n = (int)Math.Min(count - skipped, Available);
            Consume(n);
            skipped += n;
        }
        return skipped;
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
