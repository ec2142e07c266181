using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    internal static partial int Fchmod(int fd, uint mode);
}
