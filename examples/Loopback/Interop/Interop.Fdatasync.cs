using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    internal static partial int Fdatasync(int fd);
}
