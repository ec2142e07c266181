namespace LayerFs.Tar;

/// <summary>
/// Where each field sits in a 512-byte tar header block. v7 defines the first 257 bytes;
/// ustar, GNU and star reuse them and differ only in what follows the magic.
/// </summary>
internal static class TarHeaderLayout
{
    public const int BlockSize = 512;

    public const int NameOffset = 0, NameLength = 100;
    public const int ModeOffset = 100, ModeLength = 8;
    public const int UidOffset = 108, UidLength = 8;
    public const int GidOffset = 116, GidLength = 8;
    public const int SizeOffset = 124, SizeLength = 12;
    public const int MTimeOffset = 136, MTimeLength = 12;
    public const int ChecksumOffset = 148, ChecksumLength = 8;
    public const int TypeFlagOffset = 156;
    public const int LinkNameOffset = 157, LinkNameLength = 100;
    public const int MagicOffset = 257, MagicLength = 6;
    public const int VersionOffset = 263, VersionLength = 2;
    public const int UserNameOffset = 265, UserNameLength = 32;
    public const int GroupNameOffset = 297, GroupNameLength = 32;
    public const int DevMajorOffset = 329, DevMajorLength = 8;
    public const int DevMinorOffset = 337, DevMinorLength = 8;

    /// <summary>ustar keeps a 155-byte path prefix here; GNU keeps atime/ctime/sparse data instead.</summary>
    public const int PrefixOffset = 345, UstarPrefixLength = 155;

    /// <summary>star shortens the prefix to make room for atime/ctime and marks itself with a trailer.</summary>
    public const int StarPrefixLength = 131;
    public const int StarTrailerOffset = 508;

    /// <summary>Largest value an octal field of <paramref name="fieldLength"/> bytes holds with its NUL terminator.</summary>
    public static long MaxOctal(int fieldLength) => (1L << (3 * (fieldLength - 1))) - 1;

    public static ReadOnlySpan<byte> UstarMagic => "ustar\0"u8;
    public static ReadOnlySpan<byte> UstarVersion => "00"u8;
    public static ReadOnlySpan<byte> GnuMagic => "ustar "u8;
    public static ReadOnlySpan<byte> GnuVersion => " \0"u8;
    public static ReadOnlySpan<byte> StarTrailer => "tar\0"u8;

    /// <summary>Bytes of zero padding after <paramref name="size"/> bytes of data to reach a block boundary.</summary>
    public static int PaddingAfter(long size) => (int)((BlockSize - (size % BlockSize)) % BlockSize);
}
