using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true)]
    internal static unsafe partial int Linkat(int oldDirFd, byte* oldPath, int newDirFd, byte* newPath, int flags);
}
