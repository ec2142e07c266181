using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "umask")]
    internal static partial uint Umask(uint mask);
}
