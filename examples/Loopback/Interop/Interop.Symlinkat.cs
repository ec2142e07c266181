using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "symlinkat", SetLastError = true)]
    internal static unsafe partial int Symlinkat(byte* target, int dirFd, byte* linkPath);
}
