using System.Runtime.InteropServices;
using LayerFs.Fuse;

namespace LayerFs.Mount.Interop;

/// <summary>struct timespec, as utimensat takes it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Timespec
{
    public long Seconds;
    public long Nanoseconds;
}

// struct statx is the binding's public LayerFs.Fuse.Statx.

internal static unsafe partial class Libc
{
    public const uint STATX_BASIC_STATS = 0x7FF;
    public const uint STATX_BTIME = 0x800;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    public static partial int StatxAt(int dirFd, byte* path, int flags, uint mask, Statx* buffer);
}
