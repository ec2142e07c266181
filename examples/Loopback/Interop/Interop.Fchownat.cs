using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "fchownat", SetLastError = true)]
    internal static unsafe partial int Fchownat(int dirFd, byte* path, uint owner, uint group, int flags);
}
