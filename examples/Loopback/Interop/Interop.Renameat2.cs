using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    internal static unsafe partial int Renameat2(int oldDirFd, byte* oldPath, int newDirFd, byte* newPath, uint flags);
}
