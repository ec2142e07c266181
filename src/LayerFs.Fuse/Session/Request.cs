using LayerFs.Fuse.Protocol;

namespace LayerFs.Fuse.Session;

/// <summary>One request as read into a reader thread's buffer: header, fixed struct, then names or data.</summary>
internal unsafe ref struct Request
{
    public Request(FuseWorker worker, InHeader* header, int bodyLength)
    {
        Worker = worker;
        Header = header;
        Body = (byte*)(header + 1);
        BodyLength = bodyLength;
        Replied = false;
    }

    public FuseWorker Worker { get; }

    public InHeader* Header { get; }

    /// <summary>What follows the header (extension headers excluded).</summary>
    public byte* Body { get; }

    public int BodyLength { get; }

    /// <summary>Set once a reply went out, so an exception afterwards does not send a second one.</summary>
    public bool Replied { get; set; }

    public readonly ulong Unique => Header->Unique;

    public readonly ulong NodeId => Header->NodeId;

    public readonly uint Opcode => Header->Opcode;

    public readonly FuseRequestContext Context =>
        new(Header->Unique, Header->Uid, Header->Gid, Header->Pid, Worker.Interrupt.Token);

    /// <summary>The opcode's fixed struct at the start of the body (its size was checked on arrival).</summary>
    public readonly ref T In<T>()
        where T : unmanaged => ref *(T*)Body;

    /// <summary>Bytes of the body from offset on.</summary>
    public readonly ReadOnlySpan<byte> Tail(int offset) =>
        offset >= BodyLength ? default : new ReadOnlySpan<byte>(Body + offset, BodyLength - offset);

    /// <summary>A NUL-terminated name at offset; next is the offset just past its NUL.</summary>
    public readonly bool TryName(int offset, out ReadOnlySpan<byte> name, out int next)
    {
        var rest = Tail(offset);
        var nul = rest.IndexOf((byte)0);
        if (nul < 0)
        {
            name = default;
            next = BodyLength;
            return false;
        }
        name = rest[..nul];
        next = offset + nul + 1;
        return true;
    }

    /// <summary>The reply payload area, viewed as T.</summary>
    public readonly ref T Out<T>()
        where T : unmanaged => ref *(T*)Worker.ReplyPayload;
}
