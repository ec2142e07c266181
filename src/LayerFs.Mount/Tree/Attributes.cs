using LayerFs.Fuse;
using LayerFs.Store.Model;

namespace LayerFs.Mount.Tree;

/// <summary>Builds struct stat answers (FuseAttr) from index entries and for generated nodes.</summary>
internal static class Attributes
{
    public const uint Fifo = 0x1000;
    public const uint CharDevice = 0x2000;
    public const uint Directory = 0x4000;
    public const uint BlockDevice = 0x6000;
    public const uint Regular = 0x8000;
    public const uint Symlink = 0xA000;
    public const uint TypeMask = 0xF000;

    private const uint BlockSize = 4096;

    /// <summary>What a directory reports as its size: tar records none; 4096 is what ext4 shows.</summary>
    private const ulong DirectorySize = 4096;

    public static uint TypeOf(EntryKind kind) => kind switch
    {
        EntryKind.Directory => Directory,
        EntryKind.Regular or EntryKind.HardLink => Regular,
        EntryKind.Symlink => Symlink,
        EntryKind.CharDevice => CharDevice,
        EntryKind.BlockDevice => BlockDevice,
        EntryKind.Fifo => Fifo,
        _ => Regular,
    };

    /// <summary>The attributes of an index entry (for a hard link: of its group's first member).</summary>
    public static FuseAttr FromEntry(EntryRow row, ulong ino, uint nlink)
    {
        var size = row.Kind switch
        {
            EntryKind.Regular => (ulong)row.Size,
            EntryKind.Symlink => (ulong)(row.Link?.Length ?? 0),
            EntryKind.Directory => DirectorySize,
            _ => 0UL,
        };
        return new FuseAttr
        {
            Ino = ino,
            Size = size,
            Blocks = (size + 511) / 512,
            ATime = row.MTime,
            MTime = row.MTime,
            CTime = row.MTime,
            ATimeNsec = (uint)row.MTimeNs,
            MTimeNsec = (uint)row.MTimeNs,
            CTimeNsec = (uint)row.MTimeNs,
            Mode = TypeOf(row.Kind) | (row.Mode & 0xFFF),
            NLink = nlink,
            Uid = row.Uid,
            Gid = row.Gid,
            RDev = row.Kind is EntryKind.CharDevice or EntryKind.BlockDevice ? DeviceNumber(row.DevMajor, row.DevMinor) : 0,
            BlkSize = BlockSize,
        };
    }

    /// <summary>A generated node: type and permissions, owner, size and time.</summary>
    public static FuseAttr Generated(ulong ino, uint mode, ulong size, long mtime, Owner owner) => new()
    {
        Ino = ino,
        Size = (mode & TypeMask) == Directory ? DirectorySize : size,
        Blocks = (size + 511) / 512,
        ATime = mtime,
        MTime = mtime,
        CTime = mtime,
        Mode = mode,
        NLink = 1,
        Uid = owner.Uid,
        Gid = owner.Gid,
        BlkSize = BlockSize,
    };

    /// <summary>The kernel's new_encode_dev: 12-bit major, 20-bit minor, as FUSE's 32-bit rdev carries them.</summary>
    public static uint DeviceNumber(int major, int minor) =>
        ((uint)minor & 0xFF) | (((uint)major & 0xFFF) << 8) | (((uint)minor & ~0xFFu) << 12);
}

/// <summary>Who owns the generated nodes: the user who mounted.</summary>
internal readonly record struct Owner(uint Uid, uint Gid);
