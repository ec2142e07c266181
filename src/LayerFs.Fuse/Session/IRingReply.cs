using LayerFs.Fuse.Protocol;

namespace LayerFs.Fuse.Session;

/// <summary>Where a worker's reply goes when its request came through an io_uring entry.</summary>
internal unsafe interface IRingReply
{
    /// <summary>
    /// Commits the reply whose header is filled in and whose payload (payloadLength bytes) follows it
    /// in the entry's buffer. Returns 0; the kernel's verdict arrives later, as the entry's completion.
    /// </summary>
    int Commit(OutHeader* header, int payloadLength);
}
