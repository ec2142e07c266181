using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

/// <summary>struct timespec (64-bit).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Timespec
{
    public long Sec;
    public long Nsec;
}

internal static partial class Libc
{
    internal const long UTIME_NOW = (1L << 30) - 1;
    internal const long UTIME_OMIT = (1L << 30) - 2;

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true)]
    internal static unsafe partial int Utimensat(int dirFd, byte* path, Timespec* times, int flags);
}
