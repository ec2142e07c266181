using static LayerFs.Tar.TarHeaderLayout;

namespace LayerFs.Tar;

/// <summary>Which header dialect a block is written in; it decides what follows the v7 fields.</summary>
internal enum TarHeaderFormat
{
    V7,
    Ustar,
    Gnu,
    Star,
}

/// <summary>The numeric fields of one header block, decoded but not yet checked against limits.</summary>
internal readonly record struct TarHeaderFields(
    byte TypeFlag,
    TarHeaderFormat Format,
    long Mode,
    long Uid,
    long Gid,
    long Size,
    long MTime,
    long DevMajor,
    long DevMinor)
{
    /// <summary>
    /// Decodes <paramref name="block"/> (whose checksum has been verified). Returns null on
    /// success, else which field is malformed. Every numeric field must parse, even on headers
    /// whose values PAX overrides, because that is what Go's reader (and so every image tool) demands.
    /// </summary>
    public static string? TryParse(ReadOnlySpan<byte> block, out TarHeaderFields fields)
    {
        fields = default;
        var format = DetectFormat(block);
        if (!Numeric(block, ModeOffset, ModeLength, "mode", out var mode, out var problem)
            || !Numeric(block, UidOffset, UidLength, "uid", out var uid, out problem)
            || !Numeric(block, GidOffset, GidLength, "gid", out var gid, out problem)
            || !Numeric(block, SizeOffset, SizeLength, "size", out var size, out problem)
            || !Numeric(block, MTimeOffset, MTimeLength, "mtime", out var mtime, out problem))
            return problem;
        long devMajor = 0, devMinor = 0;
        // v7 headers end at byte 257; what follows is undefined and often garbage.
        if (format != TarHeaderFormat.V7
            && (!Numeric(block, DevMajorOffset, DevMajorLength, "devmajor", out devMajor, out problem)
                || !Numeric(block, DevMinorOffset, DevMinorLength, "devminor", out devMinor, out problem)))
            return problem;
        fields = new TarHeaderFields(block[TypeFlagOffset], format, mode, uid, gid, size, mtime, devMajor, devMinor);
        return null;
    }

    private static bool Numeric(ReadOnlySpan<byte> block, int offset, int length, string name, out long value, out string? problem)
    {
        var field = block.Slice(offset, length);
        if (TarFieldParser.TryParseNumeric(field, out value))
        {
            problem = null;
            return true;
        }
        problem = (field[0] & 0x80) != 0
            ? $"{name} field (base-256) overflows 63 bits"
            : $"{name} field {TarText.Quote(field.TrimEnd((byte)0))} is not an octal number";
        return false;
    }

    public static TarHeaderFormat DetectFormat(ReadOnlySpan<byte> block)
    {
        var magic = block.Slice(MagicOffset, MagicLength);
        if (magic.SequenceEqual(UstarMagic))
            return block.Slice(StarTrailerOffset, 4).SequenceEqual(StarTrailer) ? TarHeaderFormat.Star : TarHeaderFormat.Ustar;
        if (magic.SequenceEqual(GnuMagic) && block.Slice(VersionOffset, VersionLength).SequenceEqual(GnuVersion))
            return TarHeaderFormat.Gnu;
        return TarHeaderFormat.V7;
    }

    /// <summary>The path the block itself holds: ustar and star join their prefix field with '/'.</summary>
    public static byte[] HeaderName(ReadOnlySpan<byte> block, TarHeaderFormat format)
    {
        var name = TarFieldParser.CString(block.Slice(NameOffset, NameLength));
        var prefixLength = format switch
        {
            TarHeaderFormat.Ustar => UstarPrefixLength,
            TarHeaderFormat.Star => StarPrefixLength,
            _ => 0,
        };
        var prefix = prefixLength == 0 ? [] : TarFieldParser.CString(block.Slice(PrefixOffset, prefixLength));
        if (prefix.IsEmpty)
            return name.ToArray();
        var joined = new byte[prefix.Length + 1 + name.Length];
        prefix.CopyTo(joined);
        joined[prefix.Length] = (byte)'/';
        name.CopyTo(joined.AsSpan(prefix.Length + 1));
        return joined;
    }
}
