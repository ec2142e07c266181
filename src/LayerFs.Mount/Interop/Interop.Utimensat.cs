using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{
    public const long UTIME_NOW = (1L << 30) - 1;
    public const long UTIME_OMIT = (1L << 30) - 2;

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true)]
    public static partial int Utimensat(int dirFd, byte* path, Timespec* times, int flags);
}
