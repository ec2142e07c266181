using System.Buffers;
using System.Globalization;
using System.Text;

namespace LayerFs.Tar;

/// <summary>
/// PAX extended-header records ("LEN KEY=VALUE\n", LEN counting the whole record in decimal)
/// and the decimal and time values they carry. Parsing is as strict as Go's archive/tar: any
/// byte that is not part of a well-formed record rejects the header.
/// </summary>
internal static class PaxFormat
{
    public const string Path = "path";
    public const string LinkPath = "linkpath";
    public const string Size = "size";
    public const string Uid = "uid";
    public const string Gid = "gid";
    public const string MTime = "mtime";
    public const string UserName = "uname";
    public const string GroupName = "gname";
    public const string XattrPrefix = "SCHILY.xattr.";
    public const string GnuSparsePrefix = "GNU.sparse.";

    /// <summary>
    /// Appends every record of <paramref name="data"/> to <paramref name="records"/>.
    /// Returns null on success, else what is wrong (one line, no entry context).
    /// </summary>
    public static string? Parse(ReadOnlySpan<byte> data, List<KeyValuePair<string, byte[]>> records)
    {
        var offset = 0;
        while (offset < data.Length)
        {
            var rest = data[offset..];
            var space = rest.IndexOf((byte)' ');
            if (space <= 0)
                return $"malformed PAX record at offset {offset}: no length";
            long length = 0;
            foreach (var c in rest[..space])
            {
                if (c is < (byte)'0' or > (byte)'9' || length > int.MaxValue)
                    return $"malformed PAX record at offset {offset}: length {TarText.Quote(rest[..Math.Min(space, 20)])} is not a number";
                length = length * 10 + (c - '0');
            }
            // The shortest record is "5 k=\n"; the length must cover its own digits, the space and the newline.
            if (length < 5 || length <= space + 1)
                return $"malformed PAX record at offset {offset}: length {length} is too small";
            if (length > rest.Length)
                return $"malformed PAX record at offset {offset}: length {length} runs past the end of the {data.Length}-byte header";
            var record = rest[..(int)length];
            if (record[^1] != (byte)'\n')
                return $"malformed PAX record at offset {offset}: length {length} does not end at a newline";
            var body = record[(space + 1)..^1];
            var equals = body.IndexOf((byte)'=');
            if (equals < 0)
                return $"malformed PAX record at offset {offset}: no '=' in {TarText.Quote(body)}";
            var key = body[..equals];
            var value = body[(equals + 1)..];
            if (key.IsEmpty)
                return $"malformed PAX record at offset {offset}: empty key";
            if (key.Contains((byte)0))
                return $"malformed PAX record at offset {offset}: NUL in key {TarText.Quote(key)}";
            var keyText = KeyString(key);
            if (keyText is null)
                return $"malformed PAX record at offset {offset}: key {TarText.Quote(key)} is not UTF-8";
            if (keyText is Path or LinkPath or UserName or GroupName && value.Contains((byte)0))
                return $"PAX record {keyText} contains a NUL byte";
            records.Add(new(keyText, value.ToArray()));
            offset += (int)length;
        }
        return null;
    }

    /// <summary>The key as a string, reusing the constants for the keys that appear on every entry.</summary>
    private static string? KeyString(ReadOnlySpan<byte> key)
    {
        if (key.SequenceEqual("path"u8)) return Path;
        if (key.SequenceEqual("linkpath"u8)) return LinkPath;
        if (key.SequenceEqual("size"u8)) return Size;
        if (key.SequenceEqual("uid"u8)) return Uid;
        if (key.SequenceEqual("gid"u8)) return Gid;
        if (key.SequenceEqual("mtime"u8)) return MTime;
        if (key.SequenceEqual("atime"u8)) return "atime";
        if (key.SequenceEqual("ctime"u8)) return "ctime";
        if (key.SequenceEqual("uname"u8)) return UserName;
        if (key.SequenceEqual("gname"u8)) return GroupName;
        try
        {
            return StrictUtf8.GetString(key);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A decimal integer with an optional sign, as Go's strconv.ParseInt accepts it.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        var negative = false;
        if (!text.IsEmpty && text[0] is (byte)'-' or (byte)'+')
        {
            negative = text[0] == (byte)'-';
            text = text[1..];
        }
        if (text.IsEmpty)
            return false;
        ulong magnitude = 0;
        foreach (var c in text)
        {
            if (c is < (byte)'0' or > (byte)'9')
                return false;
            if (magnitude > (ulong.MaxValue - 9) / 10)
                return false;
            magnitude = magnitude * 10 + (uint)(c - '0');
        }
        if (negative ? magnitude > (ulong)long.MaxValue + 1 : magnitude > long.MaxValue)
            return false;
        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return true;
    }

    /// <summary>
    /// "SECONDS[.FRACTION]" with an optional sign applying to the whole value: "-1.5" is one and a
    /// half seconds before the epoch, i.e. seconds −2 plus 500000000 ns. Digits beyond nanoseconds
    /// are dropped (truncated toward the seconds value, as Go does).
    /// </summary>
    public static bool TryParseTime(ReadOnlySpan<byte> text, out long seconds, out int nanoseconds)
    {
        seconds = 0;
        nanoseconds = 0;
        var dot = text.IndexOf((byte)'.');
        var whole = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? [] : text[(dot + 1)..];
        if (!TryParseDecimal(whole, out seconds))
            return false;
        var ns = 0;
        for (var i = 0; i < 9; i++)
        {
            var digit = 0;
            if (i < fraction.Length)
            {
                if (fraction[i] is < (byte)'0' or > (byte)'9')
                    return false;
                digit = fraction[i] - '0';
            }
            ns = ns * 10 + digit;
        }
        foreach (var c in fraction)
            if (c is < (byte)'0' or > (byte)'9')
                return false;
        if (ns != 0 && whole[0] == (byte)'-')
        {
            if (seconds == long.MinValue)
                return false;
            seconds -= 1;
            ns = 1_000_000_000 - ns;
        }
        nanoseconds = ns;
        return true;
    }

    /// <summary>The shortest exact decimal form of a time (the inverse of <see cref="TryParseTime"/>).</summary>
    public static string FormatTime(long seconds, int nanoseconds)
    {
        if (nanoseconds == 0)
            return seconds.ToString(CultureInfo.InvariantCulture);
        string sign = "", whole;
        long fraction = nanoseconds;
        if (seconds < 0)
        {
            // seconds + ns/1e9 is negative: write its magnitude (−seconds−1) + (1e9−ns)/1e9.
            sign = "-";
            whole = ((ulong)(-(seconds + 1))).ToString(CultureInfo.InvariantCulture);
            fraction = 1_000_000_000 - nanoseconds;
        }
        else
        {
            whole = seconds.ToString(CultureInfo.InvariantCulture);
        }
        var digits = fraction.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        return $"{sign}{whole}.{digits}";
    }

    /// <summary>Appends one record; its length prefix counts its own digits.</summary>
    public static void AppendRecord(ArrayBufferWriter<byte> output, string key, ReadOnlySpan<byte> value)
    {
        var keyLength = Encoding.UTF8.GetByteCount(key);
        var bodyLength = keyLength + value.Length + 3; // ' ', '=' and '\n'
        var length = bodyLength + DigitCount(bodyLength);
        if (DigitCount(length) != DigitCount(bodyLength))
            length = bodyLength + DigitCount(length);
        var prefix = length.ToString(CultureInfo.InvariantCulture);
        var span = output.GetSpan(length);
        var at = Encoding.ASCII.GetBytes(prefix, span);
        span[at++] = (byte)' ';
        at += Encoding.UTF8.GetBytes(key, span[at..]);
        span[at++] = (byte)'=';
        value.CopyTo(span[at..]);
        at += value.Length;
        span[at++] = (byte)'\n';
        output.Advance(at);
    }

    private static int DigitCount(int n) => n.ToString(CultureInfo.InvariantCulture).Length;
}
