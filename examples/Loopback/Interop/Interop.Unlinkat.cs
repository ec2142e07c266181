using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true)]
    internal static unsafe partial int Unlinkat(int dirFd, byte* path, int flags);
}
