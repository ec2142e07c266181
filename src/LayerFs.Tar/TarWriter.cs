using System.Buffers;
using System.Text;
using static LayerFs.Tar.TarHeaderLayout;

namespace LayerFs.Tar;

/// <summary>
/// Writes a layer tar the way umoci and Go's archive/tar do: a plain ustar header wherever ustar
/// can hold the entry, and a PAX 'x' header before it only with the records ustar cannot express
/// (a non-ASCII or over-long name or link target, uid/gid beyond 2097151, size of 8 GiB or more,
/// an mtime that is negative, too large or has nanoseconds, extended attributes). User and group
/// names are left empty and PAX records are sorted, so equal input gives equal bytes (the layer's
/// diff_id depends on nothing else). <see cref="Finish"/> ends the stream with the two zero blocks.
/// </summary>
public sealed class TarWriter : IDisposable
{
    public const string WhiteoutPrefix = ".wh.";
    public const string OpaqueWhiteoutName = ".wh..wh..opq";

    private const int CopyBufferSize = 128 * 1024;
    private static readonly byte[] ZeroBlock = new byte[BlockSize];

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _block = new byte[BlockSize];
    private readonly ArrayBufferWriter<byte> _paxData = new();
    private readonly List<(string Key, byte[] Value)> _records = [];
    private bool _finished;
    private bool _disposed;

    public TarWriter(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
            throw new ArgumentException("the stream is not writable", nameof(stream));
        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Bytes written so far.</summary>
    public long Position { get; private set; }

    /// <summary>
    /// Writes one entry. A regular file's data is copied from <paramref name="content"/>, which must
    /// hold exactly <see cref="TarWriterEntry.Size"/> bytes (a shorter or longer stream means the file
    /// changed while being written, and is an error).
    /// </summary>
    public void WriteEntry(TarWriterEntry entry, Stream? content = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ThrowIfUnusable();
        Validate(entry, content);

        var name = entry.Name;
        if (entry.Type == TarEntryType.Directory && name[^1] != (byte)'/')
            name = [.. name, (byte)'/'];
        var link = entry.LinkName;

        _paxData.ResetWrittenCount();
        var records = _records;
        records.Clear();
        var nameFits = TryUstarName(name, out var prefixLength);
        if (!nameFits)
            records.Add((PaxFormat.Path, name));
        var linkFits = IsAscii(link) && link.Length <= LinkNameLength;
        if (!linkFits)
            records.Add((PaxFormat.LinkPath, link));
        var sizeFits = entry.Size <= MaxOctal(SizeLength);
        if (!sizeFits)
            records.Add((PaxFormat.Size, Ascii(entry.Size.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var uidFits = entry.Uid <= MaxOctal(UidLength);
        if (!uidFits)
            records.Add((PaxFormat.Uid, Ascii(entry.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var gidFits = entry.Gid <= MaxOctal(GidLength);
        if (!gidFits)
            records.Add((PaxFormat.Gid, Ascii(entry.Gid.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var mtimeFits = entry.MTimeSeconds >= 0 && entry.MTimeSeconds <= MaxOctal(MTimeLength);
        if (!mtimeFits || entry.MTimeNanoseconds != 0)
            records.Add((PaxFormat.MTime, Ascii(PaxFormat.FormatTime(entry.MTimeSeconds, entry.MTimeNanoseconds))));
        foreach (var (xattrName, value) in entry.Xattrs)
            records.Add((PaxFormat.XattrPrefix + xattrName, value));

        if (records.Count > 0)
        {
            records.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            foreach (var (key, value) in records)
                PaxFormat.AppendRecord(_paxData, key, value);
            WriteHeader(TarTypeFlags.PaxEntry, PaxHeaderName(name), [], [], mode: 0, uid: 0, gid: 0,
                size: _paxData.WrittenCount, mtime: 0, devMajor: 0, devMinor: 0);
            WriteBytes(_paxData.WrittenSpan);
            WritePadding(_paxData.WrittenCount);
        }

        // Where PAX carries the real value, the ustar field gets a best effort (ASCII, truncated) or zero.
        ReadOnlySpan<byte> ustarName = nameFits ? name.AsSpan(prefixLength == 0 ? 0 : prefixLength + 1) : AsciiTruncated(name, NameLength);
        ReadOnlySpan<byte> ustarPrefix = nameFits && prefixLength > 0 ? name.AsSpan(0, prefixLength) : [];
        ReadOnlySpan<byte> ustarLink = linkFits ? link : AsciiTruncated(link, LinkNameLength);
        WriteHeader(TarTypeFlags.ForType(entry.Type), ustarName, ustarPrefix, ustarLink,
            mode: entry.Mode,
            uid: uidFits ? entry.Uid : 0,
            gid: gidFits ? entry.Gid : 0,
            size: sizeFits ? entry.Size : 0,
            mtime: mtimeFits ? entry.MTimeSeconds : 0,
            devMajor: entry.DevMajor,
            devMinor: entry.DevMinor);

        if (entry.Size > 0)
        {
            CopyContent(content!, entry.Size, entry.Name);
            WritePadding(entry.Size);
        }
    }

    /// <summary>
    /// Writes the OCI whiteout that deletes <paramref name="path"/> from the layers below:
    /// an empty regular file "dir/.wh.name" with mode 0, owned by root.
    /// </summary>
    public void WriteWhiteout(ReadOnlySpan<byte> path, long mtimeSeconds = 0)
    {
        var trimmed = path.TrimEnd((byte)'/');
        var slash = trimmed.LastIndexOf((byte)'/');
        var directory = trimmed[..(slash + 1)];
        var baseName = trimmed[(slash + 1)..];
        if (baseName.IsEmpty || baseName.SequenceEqual("."u8) || baseName.SequenceEqual(".."u8))
            throw new ArgumentException($"cannot white out {TarText.Quote(path)}: it names no entry", nameof(path));
        if (baseName.StartsWith(".wh."u8))
            throw new ArgumentException($"cannot white out {TarText.Quote(path)}: it is itself a whiteout name", nameof(path));
        WriteEntry(new TarWriterEntry
        {
            Type = TarEntryType.Regular,
            Name = [.. directory, .. ".wh."u8, .. baseName],
            MTimeSeconds = mtimeSeconds,
        });
    }

    /// <summary>Writes "dir/.wh..wh..opq": the directory hides everything the layers below hold in it.</summary>
    public void WriteOpaqueWhiteout(ReadOnlySpan<byte> directory, long mtimeSeconds = 0)
    {
        var trimmed = directory.TrimEnd((byte)'/');
        byte[] name = trimmed.IsEmpty ? [.. ".wh..wh..opq"u8] : [.. trimmed, (byte)'/', .. ".wh..wh..opq"u8];
        WriteEntry(new TarWriterEntry { Type = TarEntryType.Regular, Name = name, MTimeSeconds = mtimeSeconds });
    }

    /// <summary>Writes the end-of-archive marker (two zero blocks) and flushes. Nothing can be written after it.</summary>
    public void Finish()
    {
        ThrowIfUnusable();
        WriteBytes(ZeroBlock);
        WriteBytes(ZeroBlock);
        _stream.Flush();
        _finished = true;
    }

    /// <summary>
    /// Closes the stream (unless leaveOpen) but does NOT write the end-of-archive marker: a writer
    /// abandoned after an error must not leave a tar that looks complete. Call <see cref="Finish"/>.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (!_leaveOpen)
            _stream.Dispose();
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
            throw new InvalidOperationException("the tar stream is finished: nothing can be written after the end-of-archive marker");
    }

    private static void Validate(TarWriterEntry entry, Stream? content)
    {
        // Built only for a message: quoting every name would cost more than writing the header.
        if (entry.Name.Length == 0)
            throw new ArgumentException("a tar entry needs a name", nameof(entry));
        if (entry.Name.Contains((byte)0))
            throw new ArgumentException($"tar entry {What()}: a name cannot contain a NUL byte", nameof(entry));
        if (!Enum.IsDefined(entry.Type))
            throw new ArgumentException($"tar entry {What()}: unknown type {entry.Type}", nameof(entry));
        var isLink = entry.Type is TarEntryType.HardLink or TarEntryType.Symlink;
        if (isLink && entry.LinkName.Length == 0)
            throw new ArgumentException($"tar entry {What()}: a {entry.Type} needs a target", nameof(entry));
        if (!isLink && entry.LinkName.Length != 0)
            throw new ArgumentException($"tar entry {What()}: only links have a target", nameof(entry));
        if (entry.LinkName.Contains((byte)0))
            throw new ArgumentException($"tar entry {What()}: a link target cannot contain a NUL byte", nameof(entry));
        if (entry.Mode > 0xfff)
            throw new ArgumentException($"tar entry {What()}: mode {Convert.ToString(entry.Mode, 8)} has bits beyond 07777", nameof(entry));
        if (entry.Uid is < 0 or > uint.MaxValue || entry.Gid is < 0 or > uint.MaxValue)
            throw new ArgumentException($"tar entry {What()}: uid and gid must be within 0..{uint.MaxValue}", nameof(entry));
        if (entry.MTimeNanoseconds is < 0 or > 999_999_999)
            throw new ArgumentException($"tar entry {What()}: nanoseconds must be within 0..999999999", nameof(entry));
        if (entry.Size < 0 || (entry.Size > 0 && entry.Type != TarEntryType.Regular))
            throw new ArgumentException($"tar entry {What()}: only a regular file has data, and never a negative amount", nameof(entry));
        if (entry.Size > 0 && content is null)
            throw new ArgumentException($"tar entry {What()}: {entry.Size} bytes of data but no content stream", nameof(content));
        var isDevice = entry.Type is TarEntryType.CharDevice or TarEntryType.BlockDevice;
        // ustar has 7 octal digits for each device number and PAX has no record for them.
        if (entry.DevMajor is < 0 or > 0x1fffff || entry.DevMinor is < 0 or > 0x1fffff)
            throw new ArgumentException($"tar entry {What()}: device numbers must be within 0..2097151", nameof(entry));
        if (!isDevice && (entry.DevMajor != 0 || entry.DevMinor != 0))
            throw new ArgumentException($"tar entry {What()}: only devices have device numbers", nameof(entry));
        if (entry.Xattrs.Count == 0)
            return;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (xattrName, _) in entry.Xattrs)
        {
            if (xattrName.Length == 0 || xattrName.Contains('=') || xattrName.Contains('\0'))
                throw new ArgumentException($"tar entry {What()}: extended attribute name \"{xattrName}\" cannot be written as a PAX record", nameof(entry));
            if (!seen.Add(xattrName))
                throw new ArgumentException($"tar entry {What()}: extended attribute {xattrName} is given twice", nameof(entry));
        }

        string What() => TarText.Quote(entry.Name);
    }

    /// <summary>
    /// Whether ustar can hold <paramref name="name"/>: ASCII and either at most 100 bytes, or split at a
    /// '/' into a prefix of at most 155 bytes and a non-empty rest of at most 100 (the longest prefix wins).
    /// </summary>
    private static bool TryUstarName(byte[] name, out int prefixLength)
    {
        prefixLength = 0;
        if (!IsAscii(name))
            return false;
        if (name.Length <= NameLength)
            return true;
        var searchEnd = Math.Min(name.Length - 2, UstarPrefixLength);
        for (var i = searchEnd; i > 0; i--)
        {
            if (name[i] != (byte)'/')
                continue;
            if (name.Length - i - 1 > NameLength)
                return false; // a shorter prefix only makes the rest longer
            prefixLength = i;
            return true;
        }
        return false;
    }

    private static bool IsAscii(ReadOnlySpan<byte> bytes) => System.Text.Ascii.IsValid(bytes);

    private static bool IsUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>A name for readers that ignore PAX: the ASCII bytes of <paramref name="name"/>, cut to fit.</summary>
    private static byte[] AsciiTruncated(ReadOnlySpan<byte> name, int length)
    {
        var result = new List<byte>(Math.Min(name.Length, Math.Min(length, 256)));
        foreach (var b in name)
        {
            if (result.Count == length)
                break;
            if (b < 0x80)
                result.Add(b);
        }
        return [.. result];
    }

    /// <summary>
    /// "dir/PaxHeaders.0/base", as Go names it: fixed, so the output stays deterministic. Only
    /// readers without PAX support see this name; when it would not fit, the directory is dropped.
    /// </summary>
    private static byte[] PaxHeaderName(byte[] name)
    {
        var trimmed = name.AsSpan().TrimEnd((byte)'/');
        var slash = trimmed.LastIndexOf((byte)'/');
        var directory = AsciiTruncated(trimmed[..(slash + 1)], int.MaxValue);
        var baseName = AsciiTruncated(trimmed[(slash + 1)..], int.MaxValue);
        byte[] full = [.. directory, .. "PaxHeaders.0/"u8, .. baseName];
        return full.Length <= NameLength ? full : AsciiTruncated([.. "PaxHeaders.0/"u8, .. baseName], NameLength);
    }

    private void WriteHeader(byte typeFlag, ReadOnlySpan<byte> name, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> linkName,
        long mode, long uid, long gid, long size, long mtime, long devMajor, long devMinor)
    {
        var block = _block.AsSpan();
        block.Clear();
        name.CopyTo(block.Slice(NameOffset, NameLength));
        WriteOctal(block.Slice(ModeOffset, ModeLength), mode);
        WriteOctal(block.Slice(UidOffset, UidLength), uid);
        WriteOctal(block.Slice(GidOffset, GidLength), gid);
        WriteOctal(block.Slice(SizeOffset, SizeLength), size);
        WriteOctal(block.Slice(MTimeOffset, MTimeLength), mtime);
        block[TypeFlagOffset] = typeFlag;
        linkName.CopyTo(block.Slice(LinkNameOffset, LinkNameLength));
        UstarMagic.CopyTo(block.Slice(MagicOffset, MagicLength));
        UstarVersion.CopyTo(block.Slice(VersionOffset, VersionLength));
        // User and group names stay empty: numeric ids are the truth, and names would leak the build host.
        WriteOctal(block.Slice(DevMajorOffset, DevMajorLength), devMajor);
        WriteOctal(block.Slice(DevMinorOffset, DevMinorLength), devMinor);
        prefix.CopyTo(block.Slice(PrefixOffset, UstarPrefixLength));

        var checksumField = block.Slice(ChecksumOffset, ChecksumLength);
        checksumField.Fill((byte)' ');
        long sum = 0;
        foreach (var b in block)
            sum += b;
        // Six digits, NUL, space: the traditional layout every reader accepts.
        WriteOctal(checksumField[..7], sum);
        checksumField[7] = (byte)' ';
        WriteBytes(block);
    }

    /// <summary>Zero-padded octal digits filling all but the last byte, which is NUL.</summary>
    private static void WriteOctal(Span<byte> field, long value)
    {
        if (value < 0 || value > MaxOctal(field.Length))
            throw new InvalidOperationException($"{value} does not fit a {field.Length}-byte tar field"); // callers check first
        for (var i = field.Length - 2; i >= 0; i--)
        {
            field[i] = (byte)('0' + (value & 7));
            value >>= 3;
        }
        field[^1] = 0;
    }

    private void CopyContent(Stream content, long size, byte[] name)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            var remaining = size;
            while (remaining > 0)
            {
                var n = content.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
                if (n <= 0)
                    throw new IOException($"tar entry {TarText.Quote(name)}: the content ended after {size - remaining} of {size} bytes (did the file change while being written?)");
                WriteBytes(buffer.AsSpan(0, n));
                remaining -= n;
            }
            if (content.Read(buffer, 0, 1) > 0)
                throw new IOException($"tar entry {TarText.Quote(name)}: the content is longer than its {size} bytes (did the file change while being written?)");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void WritePadding(long size)
    {
        var padding = PaddingAfter(size);
        if (padding > 0)
            WriteBytes(ZeroBlock.AsSpan(0, padding));
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        Position += bytes.Length;
    }
}
