using System.Numerics;

namespace LayerFs.Tar;

/// <summary>
/// Decodes the fixed-width fields of a header block. The rules follow Go's archive/tar, which
/// wrote (and reads) nearly every container layer in existence: octal fields may be padded with
/// spaces or NULs on either side, and a field whose first byte has the high bit set holds a
/// big-endian two's-complement number (GNU base-256).
/// </summary>
internal static class TarFieldParser
{
    /// <summary>Parses an octal or base-256 field; false if it is neither or does not fit in 63 bits.</summary>
    public static bool TryParseNumeric(ReadOnlySpan<byte> field, out long value)
    {
        if (field.Length > 0 && (field[0] & 0x80) != 0)
            return TryParseBase256(field, out value);
        return TryParseOctal(field, out value);
    }

    /// <summary>
    /// Octal digits, optionally surrounded by spaces and NULs; whatever follows the first NUL after
    /// the digits is ignored (old writers left garbage there). An empty field is zero.
    /// </summary>
    public static bool TryParseOctal(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        var start = 0;
        while (start < field.Length && field[start] is (byte)' ' or 0)
            start++;
        var end = field.Length;
        while (end > start && field[end - 1] is (byte)' ' or 0)
            end--;
        var digits = field[start..end];
        var nul = digits.IndexOf((byte)0);
        if (nul >= 0)
            digits = digits[..nul];
        if (digits.IsEmpty)
            return true;
        ulong result = 0;
        foreach (var c in digits)
        {
            if (c is < (byte)'0' or > (byte)'7')
                return false;
            if (result > (ulong.MaxValue >> 3))
                return false;
            result = (result << 3) | (uint)(c - '0');
        }
        if (result > long.MaxValue)
            return false;
        value = (long)result;
        return true;
    }

    /// <summary>
    /// GNU base-256: bit 7 of the first byte marks the encoding, bit 6 is the sign, and the
    /// remaining bits are a two's-complement number. A negative number is decoded by inverting
    /// every byte (−a−1 == ~a) so the magnitude can be accumulated without overflow tricks.
    /// </summary>
    private static bool TryParseBase256(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        var negative = (field[0] & 0x40) != 0;
        var invert = negative ? (byte)0xff : (byte)0;
        ulong magnitude = 0;
        for (var i = 0; i < field.Length; i++)
        {
            var c = (byte)(field[i] ^ invert);
            if (i == 0)
                c &= 0x7f;
            if ((magnitude >> 56) != 0)
                return false;
            magnitude = (magnitude << 8) | c;
        }
        if ((magnitude >> 63) != 0)
            return false;
        value = negative ? ~(long)magnitude : (long)magnitude;
        return true;
    }

    /// <summary>The bytes of a string field up to its first NUL (all of it if there is none).</summary>
    public static ReadOnlySpan<byte> CString(ReadOnlySpan<byte> field)
    {
        var nul = field.IndexOf((byte)0);
        return nul < 0 ? field : field[..nul];
    }

    /// <summary>
    /// The header checksum is the sum of all 512 bytes with the checksum field counted as spaces.
    /// Some historic tars summed signed chars, so both sums are accepted, as GNU tar and Go do.
    /// This runs once per entry on the import hot path, hence the vectorised unsigned sum; the
    /// signed sum is only needed when the unsigned one does not match.
    /// </summary>
    public static bool ChecksumMatches(ReadOnlySpan<byte> block, out long stored, out long unsignedSum)
    {
        var field = block.Slice(TarHeaderLayout.ChecksumOffset, TarHeaderLayout.ChecksumLength);
        unsignedSum = UnsignedSum(block) - UnsignedSum(field) + TarHeaderLayout.ChecksumLength * ' ';
        if (!TryParseOctal(field, out stored))
        {
            stored = -1;
            return false;
        }
        if (stored == unsignedSum)
            return true;
        long signedSum = TarHeaderLayout.ChecksumLength * ' ';
        for (var i = 0; i < TarHeaderLayout.BlockSize; i++)
            if (i is < TarHeaderLayout.ChecksumOffset or >= TarHeaderLayout.ChecksumOffset + TarHeaderLayout.ChecksumLength)
                signedSum += (sbyte)block[i];
        return stored == signedSum;
    }

    private static long UnsignedSum(ReadOnlySpan<byte> bytes)
    {
        long sum = 0;
        var i = 0;
        if (Vector.IsHardwareAccelerated && bytes.Length >= Vector<byte>.Count)
        {
            // Widening to 16 bits cannot overflow: 512 bytes put at most 2 × 255 × 16 into a lane.
            var lanes = Vector<ushort>.Zero;
            for (; i <= bytes.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                Vector.Widen(new Vector<byte>(bytes[i..]), out var low, out var high);
                lanes += low + high;
            }
            sum = Vector.Sum(Vector.WidenLower(lanes) + Vector.WidenUpper(lanes));
        }
        for (; i < bytes.Length; i++)
            sum += bytes[i];
        return sum;
    }
}
