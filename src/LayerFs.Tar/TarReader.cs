using static LayerFs.Tar.TarHeaderLayout;

namespace LayerFs.Tar;

/// <summary>
/// Reads a tar stream entry by entry, forward only, and keeps every byte that is not entry data
/// (padding, extension headers, headers, end-of-archive blocks and whatever follows them) so the
/// stream can be rebuilt byte for byte: RawBefore + data for each entry, then <see cref="Trailer"/>.
/// <para>
/// What it accepts is what Go's archive/tar accepts, since Go tools (docker, containerd, umoci,
/// buildkit) write and read nearly all container layers: v7, ustar (with prefix), star, GNU
/// ('L'/'K' long names, base-256 numbers) and PAX ('x' records; 'g' records are reported in
/// <see cref="TarEntry.PaxRecords"/> but, as in Go, change no field). A stream that ends right
/// after an entry (with or without its padding, without the end-of-archive marker) is complete.
/// Sparse files, multi-volume and other vendor entry types are refused.
/// </para>
/// </summary>
public sealed class TarReader : IDisposable
{
    private static readonly KeyValuePair<string, byte[]>[] NoRecords = [];

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly TarReaderOptions _options;
    private readonly TarInput _input;

    /// <summary>Bound on everything before one entry: a hostile stream could chain extension headers forever.</summary>
    private readonly long _maxRawBefore;

    // Non-data bytes since the end of the previous entry's data (its padding, extension headers, the header).
    private byte[] _raw = new byte[16 * 1024];
    private int _rawLength;

    private TarEntry? _current;
    private long _currentHeaderOffset;
    private long _currentRemaining;
    private TarEntryStream? _currentData;

    // The entry before the current position, named in messages about the bytes that follow it.
    private byte[]? _previousName;

    private KeyValuePair<string, byte[]>[] _globalRecords = NoRecords;
    private byte[]? _trailer;
    private TarFormatException? _failure;
    private bool _disposed;

    public TarReader(Stream stream, TarReaderOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
            throw new ArgumentException("the stream is not readable", nameof(stream));
        _stream = stream;
        _leaveOpen = leaveOpen;
        _options = options ?? TarReaderOptions.Default;
        if (_options.MaxExtensionHeaderSize < 0 || _options.MaxEntrySize < 0)
            throw new ArgumentException("tar reader limits must not be negative", nameof(options));
        _maxRawBefore = Math.Min(4L * _options.MaxExtensionHeaderSize + 8 * BlockSize, Array.MaxLength);
        _input = new TarInput(stream);
    }

    /// <summary>The current entry's data: exactly Size bytes, read-only, valid until the next call to <see cref="Next"/>.</summary>
    public Stream Data
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var entry = _current ?? throw new InvalidOperationException("there is no current tar entry: call Next() first");
            if (_currentData is null || _currentData.IsDetached)
                _currentData = new TarEntryStream(this, entry.Size);
            return _currentData;
        }
    }

    /// <summary>
    /// Once <see cref="Next"/> has returned null: every byte from the end of the last entry's data to
    /// the end of the stream (padding, end-of-archive blocks, anything after them).
    /// </summary>
    public byte[] Trailer => _trailer ?? throw new InvalidOperationException("the tar trailer is known only once Next() has returned null");

    /// <summary>Bytes of the underlying (uncompressed) stream consumed so far: headers, padding, and data read or skipped.</summary>
    public long Position => _input.Position;

    /// <summary>
    /// Moves to the next entry, skipping whatever of the current entry's data was not read.
    /// Returns null at the end of the archive. Throws <see cref="TarFormatException"/> if the stream is
    /// not a valid tar; the reader then stays failed.
    /// </summary>
    public TarEntry? Next()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failure is not null)
            throw new TarFormatException(_failure.Message, _failure);
        if (_trailer is not null)
            return null;
        try
        {
            return ReadNext();
        }
        catch (TarFormatException e)
        {
            _failure = e;
            throw;
        }
    }

    private TarEntry? ReadNext()
    {
        _rawLength = 0;
        if (_current is { } previous)
        {
            _currentData?.Detach();
            _currentData = null;
            SkipRemainingData();
            _current = null;
            _previousName = previous.Name;
            var padding = PaddingAfter(previous.Size);
            if (padding > 0)
            {
                var available = _input.Fill(padding);
                // No padding at all after the last entry is a complete archive (umoci#436; Go agrees).
                if (available == 0)
                    return Finish();
                if (available < padding)
                    throw StreamError($"truncated: the stream ends {available} bytes into the {padding}-byte padding after the entry's data");
                AppendRaw(_input.Buffered[..padding]);
                _input.Consume(padding);
            }
        }

        // Extension headers seen so far for the entry being assembled.
        byte[]? longName = null, longLink = null;
        List<KeyValuePair<string, byte[]>>? entryRecords = null;
        var pendingExtension = -1L; // offset of the first 'x'/'L'/'K' header not yet applied

        while (true)
        {
            var headerOffset = _input.Position;
            var available = _input.Fill(BlockSize);
            if (available == 0)
            {
                if (pendingExtension >= 0)
                    throw StreamError($"truncated: the stream ends after the extension header at byte {pendingExtension}, before its entry");
                return Finish();
            }
            if (available < BlockSize)
                throw StreamError($"truncated: the stream ends {available} bytes into a 512-byte header");
            if (_input.Buffered[..BlockSize].IndexOfAnyExcept((byte)0) < 0)
            {
                if (pendingExtension >= 0)
                    throw StreamError($"the extension header at byte {pendingExtension} is followed by the end-of-archive marker, not by an entry");
                return ReadEndOfArchive();
            }

            var headerAt = _rawLength;
            if (_rawLength + BlockSize > _maxRawBefore)
                throw StreamError($"the extension headers before one entry exceed {_maxRawBefore} bytes");
            AppendRaw(_input.Buffered[..BlockSize]);
            _input.Consume(BlockSize);
            var fields = ParseHeader(headerAt, headerOffset, longName);

            if (!TarTypeFlags.IsExtension(fields.TypeFlag))
                return BuildEntry(headerAt, headerOffset, fields, longName, longLink, entryRecords);

            var dataAt = ReadExtensionData(headerAt, headerOffset, fields);
            var data = _raw.AsSpan(dataAt, (int)fields.Size);
            switch (fields.TypeFlag)
            {
                case TarTypeFlags.PaxEntry:
                    // As in Go, a second 'x' before the same entry replaces the first.
                    entryRecords = [];
                    if (PaxFormat.Parse(data, entryRecords) is { } paxProblem)
                        throw HeaderError(headerOffset, HeaderNameAt(headerAt), "PAX extended header: " + paxProblem);
                    break;
                case TarTypeFlags.PaxGlobal:
                    MergeGlobalRecords(data, headerAt, headerOffset);
                    // Go returns a global header as an entry of its own, which drops any extension
                    // headers read before it; doing the same keeps LayerFs's reading of a layer Go's.
                    longName = longLink = null;
                    entryRecords = null;
                    pendingExtension = -1;
                    continue;
                case TarTypeFlags.GnuLongName:
                    longName = NonEmptyOrNull(TarFieldParser.CString(data));
                    break;
                case TarTypeFlags.GnuLongLink:
                    longLink = NonEmptyOrNull(TarFieldParser.CString(data));
                    break;
            }
            if (pendingExtension < 0)
                pendingExtension = headerOffset;
        }
    }

    private static byte[]? NonEmptyOrNull(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? null : bytes.ToArray();

    private TarHeaderFields ParseHeader(int headerAt, long headerOffset, byte[]? longName)
    {
        var block = _raw.AsSpan(headerAt, BlockSize);
        if (!TarFieldParser.ChecksumMatches(block, out var stored, out var computed))
        {
            var problem = stored < 0
                ? $"checksum field {TarText.Quote(block.Slice(ChecksumOffset, ChecksumLength).TrimEnd((byte)0))} is not an octal number"
                : $"header checksum mismatch (stored {stored}, computed {computed}): not a tar header, or a corrupt one";
            throw HeaderError(headerOffset, longName ?? HeaderNameAt(headerAt), problem);
        }
        if (TarHeaderFields.TryParse(block, out var fields) is { } fieldProblem)
            throw HeaderError(headerOffset, longName ?? HeaderNameAt(headerAt), fieldProblem);
        return fields;
    }

    private byte[] HeaderNameAt(int headerAt)
    {
        var block = _raw.AsSpan(headerAt, BlockSize);
        return TarHeaderFields.HeaderName(block, TarHeaderFields.DetectFormat(block));
    }

    /// <summary>Reads an extension header's data and padding into the raw bytes; returns where the data starts.</summary>
    private int ReadExtensionData(int headerAt, long headerOffset, TarHeaderFields fields)
    {
        var kind = fields.TypeFlag switch
        {
            TarTypeFlags.PaxEntry => "PAX extended header",
            TarTypeFlags.PaxGlobal => "PAX global header",
            TarTypeFlags.GnuLongName => "GNU long name",
            _ => "GNU long link name",
        };
        if (fields.Size < 0)
            throw HeaderError(headerOffset, HeaderNameAt(headerAt), $"{kind} has a negative size ({fields.Size})");
        if (fields.Size > _options.MaxExtensionHeaderSize)
            throw HeaderError(headerOffset, HeaderNameAt(headerAt), $"{kind} of {fields.Size} bytes exceeds the limit of {_options.MaxExtensionHeaderSize} bytes");
        var total = fields.Size + PaddingAfter(fields.Size);
        if (_rawLength + total > _maxRawBefore)
            throw HeaderError(headerOffset, HeaderNameAt(headerAt), $"the extension headers before one entry exceed {_maxRawBefore} bytes");
        var dataAt = _rawLength;
        EnsureRawCapacity(_rawLength + (int)total);
        var target = _raw.AsSpan(_rawLength, (int)total);
        var got = 0;
        while (got < target.Length)
        {
            var n = _input.Read(target[got..]);
            if (n == 0)
                break;
            got += n;
        }
        _rawLength += got;
        if (got < fields.Size)
            throw HeaderError(headerOffset, HeaderNameAt(headerAt), $"truncated: the stream ends after {got} of the {kind}'s {fields.Size} bytes");
        if (got < total)
            throw HeaderError(headerOffset, HeaderNameAt(headerAt), $"truncated: the stream ends inside the padding after the {kind}");
        return dataAt;
    }

    private void MergeGlobalRecords(ReadOnlySpan<byte> data, int headerAt, long headerOffset)
    {
        var records = new List<KeyValuePair<string, byte[]>>();
        if (PaxFormat.Parse(data, records) is { } problem)
            throw HeaderError(headerOffset, HeaderNameAt(headerAt), "PAX global header: " + problem);
        // A later global record for the same key replaces the earlier one (POSIX).
        var merged = new List<KeyValuePair<string, byte[]>>(_globalRecords);
        foreach (var record in records)
        {
            var existing = merged.FindIndex(r => r.Key == record.Key);
            if (existing >= 0)
                merged[existing] = record;
            else
                merged.Add(record);
        }
        var bytes = merged.Sum(r => (long)r.Key.Length + r.Value.Length);
        if (bytes > _options.MaxExtensionHeaderSize)
            throw HeaderError(headerOffset, HeaderNameAt(headerAt), $"PAX global records add up to more than {_options.MaxExtensionHeaderSize} bytes");
        _globalRecords = [.. merged];
    }

    private TarEntry BuildEntry(int headerAt, long headerOffset, TarHeaderFields fields, byte[]? longName, byte[]? longLink,
        List<KeyValuePair<string, byte[]>>? entryRecords)
    {
        var block = _raw.AsSpan(headerAt, BlockSize);
        var name = longName;
        var linkName = longLink;
        long size = fields.Size, uid = fields.Uid, gid = fields.Gid, mtime = fields.MTime;
        var mtimeNanoseconds = 0;
        List<KeyValuePair<string, byte[]>>? xattrs = null;

        if (entryRecords is not null)
        {
            foreach (var (key, value) in entryRecords)
            {
                // An empty value means "use the header's field" for the standard keys (as Go reads it).
                // An empty extended attribute is a real value and is kept.
                if (key.StartsWith(PaxFormat.XattrPrefix, StringComparison.Ordinal))
                {
                    var xattrName = key[PaxFormat.XattrPrefix.Length..];
                    if (xattrName.Length == 0)
                        throw HeaderError(headerOffset, name ?? HeaderNameAt(headerAt), "PAX record SCHILY.xattr. names no attribute");
                    xattrs ??= [];
                    var existing = xattrs.FindIndex(x => x.Key == xattrName);
                    if (existing >= 0)
                        xattrs[existing] = new(xattrName, value);
                    else
                        xattrs.Add(new(xattrName, value));
                    continue;
                }
                if (key.StartsWith(PaxFormat.GnuSparsePrefix, StringComparison.Ordinal))
                    throw HeaderError(headerOffset, name ?? HeaderNameAt(headerAt), $"unsupported entry type: GNU sparse file (PAX record {key})");
                if (value.Length == 0)
                    continue;
                switch (key)
                {
                    case PaxFormat.Path:
                        name ??= value; // a GNU long name wins, as in Go
                        break;
                    case PaxFormat.LinkPath:
                        linkName ??= value;
                        break;
                    case PaxFormat.Size:
                        size = PaxNumber(key, value, headerOffset, name ?? HeaderNameAt(headerAt));
                        break;
                    case PaxFormat.Uid:
                        uid = PaxNumber(key, value, headerOffset, name ?? HeaderNameAt(headerAt));
                        break;
                    case PaxFormat.Gid:
                        gid = PaxNumber(key, value, headerOffset, name ?? HeaderNameAt(headerAt));
                        break;
                    case PaxFormat.MTime:
                        if (!PaxFormat.TryParseTime(value, out mtime, out mtimeNanoseconds))
                            throw HeaderError(headerOffset, name ?? HeaderNameAt(headerAt), $"PAX record mtime={TarText.Quote(value)} is not a time");
                        break;
                }
            }
        }

        name ??= TarHeaderFields.HeaderName(block, fields.Format);
        linkName ??= TarFieldParser.CString(block.Slice(LinkNameOffset, LinkNameLength)).ToArray();

        var type = TarTypeFlags.EntryType(fields.TypeFlag)
            ?? throw HeaderError(headerOffset, name, $"unsupported entry type {TarText.TypeFlag(fields.TypeFlag)} ({TarTypeFlags.Describe(fields.TypeFlag)})");
        // v7 archives mark directories only by a trailing slash.
        if (fields.TypeFlag == TarTypeFlags.RegularOld && name.Length > 0 && name[^1] == (byte)'/')
            type = TarEntryType.Directory;

        if (TarTypeFlags.IsHeaderOnly(type))
        {
            // Links, directories, devices and fifos have no data section whatever the size
            // field says (POSIX; Go reads them so, and so the bytes that follow are a header).
            size = 0;
        }
        else
        {
            if (size < 0)
                throw HeaderError(headerOffset, name, $"negative size ({size})");
            if (size > _options.MaxEntrySize)
                throw HeaderError(headerOffset, name, $"size {size} exceeds the limit of {_options.MaxEntrySize} bytes");
        }
        CheckId("uid", uid, headerOffset, name);
        CheckId("gid", gid, headerOffset, name);
        if (fields.Mode < 0)
            throw HeaderError(headerOffset, name, $"negative mode ({fields.Mode})");
        CheckDevice("devmajor", fields.DevMajor, headerOffset, name);
        CheckDevice("devminor", fields.DevMinor, headerOffset, name);

        var entry = new TarEntry
        {
            Name = name,
            LinkName = linkName,
            Type = type,
            TypeFlag = fields.TypeFlag,
            // Old archives keep the file-type bits (S_IFREG…) in the mode field: only the permissions matter.
            Mode = (uint)(fields.Mode & 0xfff),
            Uid = uid,
            Gid = gid,
            Size = size,
            MTimeSeconds = mtime,
            MTimeNanoseconds = mtimeNanoseconds,
            DevMajor = (int)fields.DevMajor,
            DevMinor = (int)fields.DevMinor,
            Xattrs = xattrs is null ? NoRecords : [.. xattrs],
            PaxRecords = CombineRecords(entryRecords),
            RawBefore = _raw.AsSpan(0, _rawLength).ToArray(),
            DataOffset = _input.Position,
        };
        _current = entry;
        _currentHeaderOffset = headerOffset;
        _currentRemaining = size;
        return entry;
    }

    private IReadOnlyList<KeyValuePair<string, byte[]>> CombineRecords(List<KeyValuePair<string, byte[]>>? entryRecords)
    {
        if (entryRecords is null || entryRecords.Count == 0)
            return _globalRecords;
        if (_globalRecords.Length == 0)
            return [.. entryRecords];
        return [.. _globalRecords, .. entryRecords];
    }

    private long PaxNumber(string key, byte[] value, long headerOffset, byte[] name)
    {
        if (!PaxFormat.TryParseDecimal(value, out var number))
            throw HeaderError(headerOffset, name, $"PAX record {key}={TarText.Quote(value)} is not a decimal number");
        return number;
    }

    private void CheckId(string what, long id, long headerOffset, byte[] name)
    {
        // Linux ids are 32 bits; anything else cannot be applied to a file.
        if (id is < 0 or > uint.MaxValue)
            throw HeaderError(headerOffset, name, $"{what} {id} is outside 0..{uint.MaxValue}");
    }

    private void CheckDevice(string what, long number, long headerOffset, byte[] name)
    {
        if (number is < 0 or > int.MaxValue)
            throw HeaderError(headerOffset, name, $"{what} {number} is outside 0..{int.MaxValue}");
    }

    /// <summary>A zero block: one more zero block (or the end of the stream) ends the archive; keep everything after it.</summary>
    private TarEntry? ReadEndOfArchive()
    {
        AppendRaw(_input.Buffered[..BlockSize]);
        _input.Consume(BlockSize);
        var available = _input.Fill(BlockSize);
        if (available == 0)
            return Finish(); // one zero block, then the end: accepted, as Go does
        if (available < BlockSize)
            throw StreamError($"truncated: the stream ends {available} bytes into the second end-of-archive block");
        if (_input.Buffered[..BlockSize].IndexOfAnyExcept((byte)0) >= 0)
            throw StreamError("a single zero block is followed by a header: corrupt archive (only two zero blocks end an archive)");
        AppendRaw(_input.Buffered[..BlockSize]);
        _input.Consume(BlockSize);

        // Whatever follows the marker (GNU tar pads to 10 KiB records) belongs to the stream too.
        var limit = (int)Math.Min((long)_options.MaxExtensionHeaderSize + 1, Array.MaxLength);
        while (_rawLength < limit)
        {
            EnsureRawCapacity(Math.Min(_rawLength + 64 * 1024, limit));
            var n = _input.Read(_raw.AsSpan(_rawLength, Math.Min(_raw.Length, limit) - _rawLength));
            if (n == 0)
                break;
            _rawLength += n;
        }
        return Finish();
    }

    private TarEntry? Finish()
    {
        if (_rawLength > _options.MaxExtensionHeaderSize)
            throw StreamError($"more than {_options.MaxExtensionHeaderSize} bytes follow the end of the last entry");
        _trailer = _raw.AsSpan(0, _rawLength).ToArray();
        return null;
    }

    private void SkipRemainingData()
    {
        if (_currentRemaining == 0)
            return;
        _currentRemaining -= _input.Skip(_currentRemaining);
        if (_currentRemaining > 0)
            throw TruncatedData();
    }

    internal long RemainingData(TarEntryStream stream) => ReferenceEquals(stream, _currentData) ? _currentRemaining : 0;

    internal int ReadData(TarEntryStream stream, Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!ReferenceEquals(stream, _currentData))
            throw new ObjectDisposedException(nameof(TarEntryStream), "the tar entry's data is no longer available: Next() was called");
        if (_currentRemaining == 0 || buffer.IsEmpty)
            return 0;
        if (buffer.Length > _currentRemaining)
            buffer = buffer[..(int)_currentRemaining];
        var n = _input.Read(buffer);
        if (n == 0)
        {
            _failure = TruncatedData();
            throw _failure;
        }
        _currentRemaining -= n;
        return n;
    }

    private TarFormatException TruncatedData()
    {
        var entry = _current!;
        return HeaderError(_currentHeaderOffset, entry.Name,
            $"truncated: the stream ends after {entry.Size - _currentRemaining} of the entry's {entry.Size} data bytes");
    }

    private void AppendRaw(ReadOnlySpan<byte> bytes)
    {
        EnsureRawCapacity(_rawLength + bytes.Length);
        bytes.CopyTo(_raw.AsSpan(_rawLength));
        _rawLength += bytes.Length;
    }

    private void EnsureRawCapacity(int needed)
    {
        if (needed <= _raw.Length)
            return;
        var size = (int)Math.Min(Math.Max(needed, 2L * _raw.Length), Array.MaxLength);
        Array.Resize(ref _raw, size);
    }

    private static TarFormatException HeaderError(long headerOffset, ReadOnlySpan<byte> name, string problem) =>
        new($"tar entry {TarText.Quote(name)} (header at byte {headerOffset}): {problem}");

    /// <summary>A problem not inside any one header: say where, and which entry came before.</summary>
    private TarFormatException StreamError(string problem)
    {
        var after = _previousName is null ? "before the first entry" : "after entry " + TarText.Quote(_previousName);
        return new($"tar stream at byte {_input.Position} ({after}): {problem}");
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _currentData?.Detach();
        _input.Dispose();
        if (!_leaveOpen)
            _stream.Dispose();
    }
}
