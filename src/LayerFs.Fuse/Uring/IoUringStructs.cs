using System.Runtime.InteropServices;
using LayerFs.Fuse.Protocol;

namespace LayerFs.Fuse.Uring;

/// <summary>struct io_sqring_offsets: where the submission ring's fields sit in its mapping.</summary>
[WireStruct("io_sqring_offsets")]
[StructLayout(LayoutKind.Sequential)]
internal struct SqRingOffsets
{
    public uint Head;
    public uint Tail;
    public uint RingMask;
    public uint RingEntries;
    public uint Flags;
    public uint Dropped;
    public uint Array;
    public uint Resv1;
    /// <summary>resv2 in older headers, user_addr (IORING_SETUP_NO_MMAP) since 6.5: unused here.</summary>
    public ulong Resv2;
}

/// <summary>struct io_cqring_offsets: where the completion ring's fields sit in its mapping.</summary>
[WireStruct("io_cqring_offsets")]
[StructLayout(LayoutKind.Sequential)]
internal struct CqRingOffsets
{
    public uint Head;
    public uint Tail;
    public uint RingMask;
    public uint RingEntries;
    public uint Overflow;
    public uint Cqes;
    public uint Flags;
    public uint Resv1;
    /// <summary>resv2 in older headers, user_addr (IORING_SETUP_NO_MMAP) since 6.5: unused here.</summary>
    public ulong Resv2;
}

/// <summary>struct io_uring_params: io_uring_setup's argument and answer.</summary>
[WireStruct("io_uring_params")]
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoUringParams
{
    public uint SqEntries;
    public uint CqEntries;
    public uint Flags;
    public uint SqThreadCpu;
    public uint SqThreadIdle;
    public uint Features;
    public uint WqFd;
    public fixed uint Resv[3];
    public SqRingOffsets SqOff;
    public CqRingOffsets CqOff;
}

/// <summary>
/// struct io_uring_sqe (64 bytes). Rings for FUSE are set up with IORING_SETUP_SQE128, so each slot
/// is 128 bytes and IORING_OP_URING_CMD's command area (80 bytes) starts at addr3, offset 48:
/// see CommandOffset. For URING_CMD, cmd_op is the low half of off.
/// </summary>
[WireStruct("io_uring_sqe")]
[StructLayout(LayoutKind.Sequential)]
internal struct IoUringSqe
{
    public const int CommandOffset = 48;
    public const int Sqe128Size = 128;

    public byte Opcode;
    public byte Flags;
    public ushort Ioprio;
    public int Fd;
    public ulong Off;
    public ulong Addr;
    public uint Len;
    /// <summary>rw_flags, and every other opcode's flags (uring_cmd_flags) in the same union.</summary>
    public uint RwFlags;
    public ulong UserData;
    public ushort BufIndex;
    public ushort Personality;
    public int SpliceFdIn;
    public ulong Addr3;
    public ulong Pad2;
}

/// <summary>struct io_uring_cqe (16 bytes: rings are set up without CQE32).</summary>
[WireStruct("io_uring_cqe")]
[StructLayout(LayoutKind.Sequential)]
internal struct IoUringCqe
{
    public ulong UserData;
    public int Res;
    public uint Flags;
}

/// <summary>The io_uring constants LayerFs uses (include/uapi/linux/io_uring.h).</summary>
internal static class IoUringConstants
{
    public const long SysSetup = 425;   // x86_64 and every other architecture since 5.1 (the unified table)
    public const long SysEnter = 426;

    public const uint SetupSqe128 = 1U << 10;
    public const uint SetupSingleIssuer = 1U << 12;
    public const uint SetupDeferTaskrun = 1U << 13;

    public const uint FeatSingleMmap = 1U << 0;

    public const long OffSqRing = 0;
    public const long OffCqRing = 0x8000000;
    public const long OffSqes = 0x10000000;

    public const uint EnterGetEvents = 1U << 0;

    public const byte OpUringCmd = 46;
}
