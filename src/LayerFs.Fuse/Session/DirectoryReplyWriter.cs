using System.Runtime.CompilerServices;
using LayerFs.Fuse.Protocol;

namespace LayerFs.Fuse.Session;

/// <summary>
/// Packs READDIR / READDIRPLUS replies straight into a reader thread's reply buffer; one instance
/// per thread, reset for each request. It also keeps the lookup-count bookkeeping honest: the
/// filesystem counts one lookup for every AddPlus with a node id, but the kernel does not count
/// "." and ".." (it skips them without a FORGET), nor entries of a reply that never reaches it.
/// Those lookups are given back to the filesystem through Forget once the reply is done.
/// </summary>
internal sealed unsafe class DirectoryReplyWriter : FuseDirectoryWriter
{
    private byte* start;
    private int capacity;
    private bool plus;
    private ulong[] delivered = new ulong[64];
    private int deliveredCount;
    private ulong[] givenBack = new ulong[8];
    private int givenBackCount;

    /// <summary>Bytes written so far; 0 at the end of the directory.</summary>
    public int Length { get; private set; }

    /// <summary>Entries dropped because the kernel would reject the whole reply for them (bad names).</summary>
    public int InvalidNames { get; private set; }

    public void Reset(byte* buffer, int size, bool plusMode)
    {
        start = buffer;
        capacity = size;
        plus = plusMode;
        Length = 0;
        deliveredCount = 0;
        givenBackCount = 0;
        InvalidNames = 0;
    }

    public override bool Add(ReadOnlySpan<byte> name, ulong ino, uint mode, long nextOffset)
    {
        if (!IsValidName(name))
        {
            InvalidNames++;
            return true;
        }
        if (plus)
        {
            // A READDIRPLUS entry with node id 0: the kernel lists the name and looks nothing up.
            var record = Align(sizeof(DirentPlus) + name.Length);
            if (Length + record > capacity)
                return false;
            var e = (DirentPlus*)(start + Length);
            Unsafe.InitBlockUnaligned(e, 0, (uint)sizeof(EntryOut));
            WriteDirent(&e->Dirent, name, ino, mode, nextOffset, record - sizeof(EntryOut));
            Length += record;
            return true;
        }
        var size = Align(sizeof(Dirent) + name.Length);
        if (Length + size > capacity)
            return false;
        WriteDirent((Dirent*)(start + Length), name, ino, mode, nextOffset, size);
        Length += size;
        return true;
    }

    public override bool AddPlus(ReadOnlySpan<byte> name, in FuseEntry entry, long nextOffset)
    {
        if (!IsValidName(name))
        {
            InvalidNames++;
            GiveBack(entry.NodeId);
            return true;
        }
        if (!plus)
        {
            // A plain READDIR: the kernel takes no lookup from it.
            if (!Add(name, entry.Attr.Ino, entry.Attr.Mode, nextOffset))
                return false;
            GiveBack(entry.NodeId);
            return true;
        }
        var record = Align(sizeof(DirentPlus) + name.Length);
        if (Length + record > capacity)
            return false;
        var e = (DirentPlus*)(start + Length);
        WireConvert.ToWire(entry, ref e->EntryOut);
        if (IsDotOrDotDot(name))
        {
            e->EntryOut.NodeId = 0;
            GiveBack(entry.NodeId);
        }
        else if (entry.NodeId != 0)
        {
            Remember(entry.NodeId);
        }
        WriteDirent(&e->Dirent, name, entry.Attr.Ino, entry.Attr.Mode, nextOffset, record - sizeof(EntryOut));
        Length += record;
        return true;
    }

    /// <summary>
    /// Gives back the lookups the kernel did not take: "." / ".." always, and every entry when the
    /// reply was not delivered (an error reply, or the request was interrupted).
    /// </summary>
    public void Complete(bool replyDelivered, FuseFileSystem fs)
    {
        for (var i = 0; i < givenBackCount; i++)
            fs.Forget(givenBack[i], 1);
        if (!replyDelivered)
            for (var i = 0; i < deliveredCount; i++)
                fs.Forget(delivered[i], 1);
        givenBackCount = 0;
        deliveredCount = 0;
    }

    private static void WriteDirent(Dirent* d, ReadOnlySpan<byte> name, ulong ino, uint mode, long nextOffset, int recordSize)
    {
        d->Ino = ino;
        d->Off = (ulong)nextOffset;
        d->NameLen = (uint)name.Length;
        d->Type = (mode & 0xF000) >> 12;
        var nameStart = (byte*)(d + 1);
        name.CopyTo(new Span<byte>(nameStart, name.Length));
        // Zero the alignment padding: it goes to the kernel.
        var padding = recordSize - sizeof(Dirent) - name.Length;
        if (padding > 0)
            Unsafe.InitBlockUnaligned(nameStart + name.Length, 0, (uint)padding);
    }

    private static int Align(int size) => (size + 7) & ~7;

    private static bool IsValidName(ReadOnlySpan<byte> name) =>
        name.Length is > 0 and <= FuseKernel.NameMax && name.IndexOfAny((byte)'/', (byte)0) < 0;

    private static bool IsDotOrDotDot(ReadOnlySpan<byte> name) =>
        name.Length == 1 ? name[0] == '.' : name.Length == 2 && name[0] == '.' && name[1] == '.';

    private void Remember(ulong node)
    {
        if (deliveredCount == delivered.Length)
            Array.Resize(ref delivered, delivered.Length * 2);
        delivered[deliveredCount++] = node;
    }

    private void GiveBack(ulong node)
    {
        if (node == 0)
            return;
        if (givenBackCount == givenBack.Length)
            Array.Resize(ref givenBack, givenBack.Length * 2);
        givenBack[givenBackCount++] = node;
    }
}
