using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "fchmodat", SetLastError = true)]
    internal static unsafe partial int Fchmodat(int dirFd, byte* path, uint mode, int flags);
}
