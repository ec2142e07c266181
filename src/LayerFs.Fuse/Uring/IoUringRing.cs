using System.Runtime.InteropServices;
using LayerFs.Fuse.Interop;
using static LayerFs.Fuse.Uring.IoUringConstants;

namespace LayerFs.Fuse.Uring;

/// <summary>
/// A minimal io_uring: one ring with 128-byte SQEs, used by one thread (SINGLE_ISSUER, DEFER_TASKRUN:
/// completions are delivered only while that thread waits in io_uring_enter, so no other thread
/// runs work on its behalf). Only what FUSE over io_uring needs: get an SQE, submit and wait,
/// walk the completions. No liburing: the ABI is three mmaps and one syscall.
/// </summary>
internal sealed unsafe class IoUringRing : IDisposable
{
    private readonly int fd;
    private readonly byte* ringMap;
    private readonly nuint ringMapSize;
    private readonly byte* cqMap;
    private readonly nuint cqMapSize;
    private readonly byte* sqes;
    private readonly nuint sqesSize;
    private readonly uint* sqHead;
    private readonly uint* sqTail;
    private readonly uint* sqArray;
    private readonly uint sqMask;
    private readonly uint sqEntries;
    private readonly uint* cqHead;
    private readonly uint* cqTail;
    private readonly uint cqMask;
    private readonly IoUringCqe* cqes;
    private uint sqLocalTail;
    private bool disposed;

    private IoUringRing(int fd, in IoUringParams p)
    {
        this.fd = fd;
        try
        {
            var sqSize = (nuint)(p.SqOff.Array + (p.SqEntries * sizeof(uint)));
            var cqSize = (nuint)(p.CqOff.Cqes + (p.CqEntries * (uint)sizeof(IoUringCqe)));
            var single = (p.Features & FeatSingleMmap) != 0;
            ringMapSize = single ? Math.Max(sqSize, cqSize) : sqSize;
            ringMap = Map(fd, ringMapSize, OffSqRing);
            if (single)
            {
                cqMap = ringMap;
            }
            else
            {
                cqMapSize = cqSize;
                cqMap = Map(fd, cqMapSize, OffCqRing);
            }
            sqesSize = p.SqEntries * (nuint)IoUringSqe.Sqe128Size;
            sqes = Map(fd, sqesSize, OffSqes);
        }
        catch
        {
            Unmap();
            Libc.Close(fd);
            throw;
        }
        sqHead = (uint*)(ringMap + p.SqOff.Head);
        sqTail = (uint*)(ringMap + p.SqOff.Tail);
        sqArray = (uint*)(ringMap + p.SqOff.Array);
        sqMask = *(uint*)(ringMap + p.SqOff.RingMask);
        sqEntries = *(uint*)(ringMap + p.SqOff.RingEntries);
        cqHead = (uint*)(cqMap + p.CqOff.Head);
        cqTail = (uint*)(cqMap + p.CqOff.Tail);
        cqMask = *(uint*)(cqMap + p.CqOff.RingMask);
        cqes = (IoUringCqe*)(cqMap + p.CqOff.Cqes);
        sqLocalTail = *sqTail;
    }

    /// <summary>
    /// Sets up a ring for the calling thread, which must be the only one to submit to it and wait on it.
    /// Throws FuseException with the errno (ENOSYS: no io_uring; EPERM: io_uring_disabled).
    /// </summary>
    public static IoUringRing Create(uint entries)
    {
        var p = default(IoUringParams);
        p.Flags = SetupSqe128 | SetupSingleIssuer | SetupDeferTaskrun;
        var fd = Libc.Syscall(SysSetup, entries, (long)&p, 0, 0, 0, 0);
        if (fd < 0)
            throw Errors.Exception("io_uring_setup", Marshal.GetLastPInvokeError());
        return new IoUringRing((int)fd, p);
    }

    /// <summary>The next free SQE, zeroed (all 128 bytes), or null when the submission ring is full.</summary>
    public IoUringSqe* NextSqe()
    {
        if (sqLocalTail - Volatile.Read(ref *sqHead) >= sqEntries)
            return null;
        var index = sqLocalTail & sqMask;
        var sqe = (IoUringSqe*)(sqes + (index * IoUringSqe.Sqe128Size));
        NativeMemory.Clear(sqe, IoUringSqe.Sqe128Size);
        sqArray[index] = index;
        sqLocalTail++;
        return sqe;
    }

    /// <summary>
    /// Submits every SQE prepared since the last call and waits until at least waitFor completions
    /// are there. Returns 0 or -errno (EINTR is retried here).
    /// </summary>
    public int SubmitAndWait(uint waitFor)
    {
        // Release: the kernel must see the SQEs' contents before it sees the new tail.
        Volatile.Write(ref *sqTail, sqLocalTail);
        while (true)
        {
            var toSubmit = sqLocalTail - Volatile.Read(ref *sqHead);
            var flags = waitFor > 0 ? EnterGetEvents : 0;
            if (Libc.Syscall(SysEnter, fd, toSubmit, waitFor, flags, 0, 0) >= 0)
                return 0;
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
                return -errno;
        }
    }

    /// <summary>The oldest unconsumed completion, if any; Consume moves past it.</summary>
    public bool TryPeek(out IoUringCqe cqe)
    {
        var head = *cqHead;
        // Acquire: the entry's contents are read only after the tail that published it.
        if (head == Volatile.Read(ref *cqTail))
        {
            cqe = default;
            return false;
        }
        cqe = cqes[head & cqMask];
        return true;
    }

    public void Consume() => Volatile.Write(ref *cqHead, *cqHead + 1);

    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        Unmap();
        Libc.Close(fd);
    }

    private static byte* Map(int fd, nuint size, long offset)
    {
        var address = Libc.Mmap(null, size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, offset);
        if (address == (void*)-1)
            throw Errors.Exception("mmap of an io_uring", Marshal.GetLastPInvokeError());
        return (byte*)address;
    }

    private void Unmap()
    {
        if (sqes != null)
            Libc.Munmap(sqes, sqesSize);
        if (cqMap != null && cqMap != ringMap)
            Libc.Munmap(cqMap, cqMapSize);
        if (ringMap != null)
            Libc.Munmap(ringMap, ringMapSize);
    }
}
