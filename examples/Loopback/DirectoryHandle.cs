using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback;

/// <summary>
/// An open directory: its fd and a getdents64 buffer that outlives one READDIR, because the kernel
/// asks for a page of entries at a time and a getdents64 call returns many pages' worth.
/// </summary>
internal sealed unsafe class DirectoryHandle : IDisposable
{
    public const int BufferSize = 64 * 1024;

    public DirectoryHandle(int fd)
    {
        Fd = fd;
        Buffer = (byte*)NativeMemory.Alloc(BufferSize);
    }

    public int Fd { get; }

    public Lock Gate { get; } = new();

    public byte* Buffer { get; private set; }

    /// <summary>Valid bytes in Buffer.</summary>
    public int Length { get; set; }

    /// <summary>Where the next undelivered entry starts in Buffer.</summary>
    public int Position { get; set; }

    /// <summary>The directory cookie of the next undelivered entry (what the kernel will ask for).</summary>
    public long Offset { get; set; }

    public void Dispose()
    {
        if (Buffer != null)
        {
            NativeMemory.Free(Buffer);
            Buffer = null;
        }
        Interop.Libc.Close(Fd);
    }
}
