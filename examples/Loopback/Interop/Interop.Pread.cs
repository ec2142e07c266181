using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "pread64", SetLastError = true)]
    internal static unsafe partial nint Pread(int fd, byte* buffer, nuint count, long offset);
}
