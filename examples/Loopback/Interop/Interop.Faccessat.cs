using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "faccessat", SetLastError = true)]
    internal static unsafe partial int Faccessat(int dirFd, byte* path, int mode, int flags);
}
