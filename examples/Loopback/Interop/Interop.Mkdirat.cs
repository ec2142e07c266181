using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true)]
    internal static unsafe partial int Mkdirat(int dirFd, byte* path, uint mode);
}
