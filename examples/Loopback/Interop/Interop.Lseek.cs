using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    internal const int SEEK_SET = 0;

    [LibraryImport("libc", EntryPoint = "lseek64", SetLastError = true)]
    internal static partial long Lseek(int fd, long offset, int whence);
}
