namespace LayerFs.Fuse.Protocol;

/// <summary>enum fuse_opcode.</summary>
internal enum FuseOpcode : uint
{
    Lookup = 1,
    Forget = 2, // no reply
    GetAttr = 3,
    SetAttr = 4,
    ReadLink = 5,
    Symlink = 6,
    MkNod = 8,
    MkDir = 9,
    Unlink = 10,
    RmDir = 11,
    Rename = 12,
    Link = 13,
    Open = 14,
    Read = 15,
    Write = 16,
    StatFs = 17,
    Release = 18,
    Fsync = 20,
    SetXattr = 21,
    GetXattr = 22,
    ListXattr = 23,
    RemoveXattr = 24,
    Flush = 25,
    Init = 26,
    OpenDir = 27,
    ReadDir = 28,
    ReleaseDir = 29,
    FsyncDir = 30,
    GetLk = 31,
    SetLk = 32,
    SetLkW = 33,
    Access = 34,
    Create = 35,
    Interrupt = 36,
    Bmap = 37,
    Destroy = 38,
    Ioctl = 39,
    Poll = 40,
    NotifyReply = 41, // no reply
    BatchForget = 42, // no reply
    Fallocate = 43,
    ReadDirPlus = 44,
    Rename2 = 45,
    Lseek = 46,
    CopyFileRange = 47,
    SetupMapping = 48,
    RemoveMapping = 49,
    SyncFs = 50,
    TmpFile = 51,
    Statx = 52,
    CopyFileRange64 = 53,

    CuseInit = 4096,
}

/// <summary>Names for the debug log and the number of opcodes the dispatch tables cover.</summary>
internal static class FuseOpcodes
{
    /// <summary>Dispatch tables are indexed by opcode; everything at or above this is unknown.</summary>
    public const int TableSize = 64;

    private static readonly string[] Names = BuildNames();

    public static string Name(uint opcode) =>
        opcode < TableSize && Names[opcode] is { } name ? name : "OPCODE" + opcode;

    private static string[] BuildNames()
    {
        var names = new string[TableSize];
        foreach (var op in Enum.GetValues<FuseOpcode>())
            if ((uint)op < TableSize)
                names[(uint)op] = op.ToString().ToUpperInvariant();
        return names;
    }
}
