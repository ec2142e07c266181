using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    internal static partial int Fsync(int fd);
}
