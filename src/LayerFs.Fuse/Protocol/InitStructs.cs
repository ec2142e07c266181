using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Protocol;

[WireStruct("fuse_init_in")]
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct InitIn
{
    public uint Major;
    public uint Minor;
    public uint MaxReadahead;
    public uint Flags;
    /// <summary>Bits 32..63 of the offered flags (7.36; valid only with FUSE_INIT_EXT in Flags).</summary>
    public uint Flags2;
    public fixed uint Unused[11];
}

/// <summary>struct fuse_init_out as of 7.43 (max_stack_depth 7.40, request_timeout 7.43, both inside the old reserved space).</summary>
[WireStruct("fuse_init_out")]
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct InitOut
{
    public uint Major;
    public uint Minor;
    public uint MaxReadahead;
    public uint Flags;
    public ushort MaxBackground;
    public ushort CongestionThreshold;
    public uint MaxWrite;
    public uint TimeGran;
    public ushort MaxPages;
    public ushort MapAlignment;
    public uint Flags2;
    /// <summary>With FUSE_PASSTHROUGH: how deep a stack of filesystems the backing files may sit on (1 or 2).</summary>
    public uint MaxStackDepth;
    public ushort RequestTimeout;
    public fixed ushort Unused[11];
}
