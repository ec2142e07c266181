using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "readlinkat", SetLastError = true)]
    internal static unsafe partial nint Readlinkat(int dirFd, byte* path, byte* buffer, nuint size);
}
