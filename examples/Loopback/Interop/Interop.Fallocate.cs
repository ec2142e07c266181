using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "fallocate64", SetLastError = true)]
    internal static partial int Fallocate(int fd, int mode, long offset, long length);
}
