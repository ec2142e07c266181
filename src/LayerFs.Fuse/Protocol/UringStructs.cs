using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Protocol;

/// <summary>
/// struct fuse_uring_cmd_req (7.42): the 24 bytes a FUSE io_uring command carries in its SQE's
/// command area. REGISTER reads qid; COMMIT_AND_FETCH reads qid and commit_id.
/// </summary>
[WireStruct("fuse_uring_cmd_req")]
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct UringCmdReq
{
    public ulong Flags;
    public ulong CommitId;
    public ushort Qid;
    public fixed byte Padding[6];
}

/// <summary>struct fuse_uring_ent_in_out (7.42): per-request facts at the end of a ring entry's header.</summary>
[WireStruct("fuse_uring_ent_in_out")]
[StructLayout(LayoutKind.Sequential)]
internal struct UringEntInOut
{
    public ulong Flags;
    /// <summary>The request's unique; a COMMIT_AND_FETCH names the request it answers by it.</summary>
    public ulong CommitId;
    /// <summary>Bytes in the payload buffer: the request's in-args after the first, or the reply's out-args.</summary>
    public uint PayloadSz;
    public uint Padding;
    public ulong Reserved;
}

/// <summary>
/// struct fuse_uring_req_header (7.42): a ring entry's first buffer. in_out holds fuse_in_header
/// (request) or fuse_out_header (reply); op_in the request's first in-arg, its per-opcode struct.
/// </summary>
[WireStruct("fuse_uring_req_header")]
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct UringReqHeader
{
    public const int InOutSize = 128;  // FUSE_URING_IN_OUT_HEADER_SZ
    public const int OpInSize = 128;   // FUSE_URING_OP_IN_OUT_SZ

    public fixed byte InOut[InOutSize];
    public fixed byte OpIn[OpInSize];
    public UringEntInOut RingEntInOut;
}

/// <summary>enum fuse_uring_cmd: the cmd_op of a FUSE io_uring command.</summary>
internal static class UringCommand
{
    public const uint Register = 1;
    public const uint CommitAndFetch = 2;
}
