namespace LayerFs.Tar;

/// <summary>
/// The typeflag byte. Besides the POSIX types, the reader understands the headers that describe
/// the next entry (PAX 'x'/'g', GNU 'L'/'K'). Every other flag is refused: a sparse file, a
/// multi-volume continuation or a volume label cannot be turned into a layer entry faithfully,
/// and docker and containerd refuse them too.
/// </summary>
internal static class TarTypeFlags
{
    public const byte RegularOld = 0;      // v7 regular file ('\0'); a directory if the name ends in '/'
    public const byte Regular = (byte)'0';
    public const byte HardLink = (byte)'1';
    public const byte Symlink = (byte)'2';
    public const byte CharDevice = (byte)'3';
    public const byte BlockDevice = (byte)'4';
    public const byte Directory = (byte)'5';
    public const byte Fifo = (byte)'6';
    public const byte Contiguous = (byte)'7';
    public const byte PaxEntry = (byte)'x';
    public const byte PaxGlobal = (byte)'g';
    public const byte GnuLongName = (byte)'L';
    public const byte GnuLongLink = (byte)'K';

    public static bool IsExtension(byte flag) => flag is PaxEntry or PaxGlobal or GnuLongName or GnuLongLink;

    /// <summary>The entry type of a typeflag, or null if LayerFs does not accept it.</summary>
    public static TarEntryType? EntryType(byte flag) => flag switch
    {
        RegularOld or Regular or Contiguous => TarEntryType.Regular,
        HardLink => TarEntryType.HardLink,
        Symlink => TarEntryType.Symlink,
        CharDevice => TarEntryType.CharDevice,
        BlockDevice => TarEntryType.BlockDevice,
        Directory => TarEntryType.Directory,
        Fifo => TarEntryType.Fifo,
        _ => null,
    };

    /// <summary>Types whose data section is absent whatever the size field says (as Go reads them).</summary>
    public static bool IsHeaderOnly(TarEntryType type) => type != TarEntryType.Regular;

    public static byte ForType(TarEntryType type) => type switch
    {
        TarEntryType.Regular => Regular,
        TarEntryType.HardLink => HardLink,
        TarEntryType.Symlink => Symlink,
        TarEntryType.CharDevice => CharDevice,
        TarEntryType.BlockDevice => BlockDevice,
        TarEntryType.Directory => Directory,
        TarEntryType.Fifo => Fifo,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a tar entry type"),
    };

    /// <summary>What a refused typeflag is, for the error message.</summary>
    public static string Describe(byte flag) => flag switch
    {
        (byte)'S' => "GNU sparse file",
        (byte)'D' => "GNU incremental directory dump",
        (byte)'M' => "GNU multi-volume continuation",
        (byte)'N' => "GNU old-style long name",
        (byte)'V' => "volume label",
        (byte)'X' => "Solaris extended header",
        (byte)'A' => "Solaris ACL",
        (byte)'E' => "Solaris extended attributes",
        (byte)'I' => "star inode metadata",
        >= (byte)'A' and <= (byte)'Z' => "vendor extension",
        _ => "unknown type",
    };
}
