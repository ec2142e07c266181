using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "llistxattr", SetLastError = true)]
    internal static unsafe partial nint Llistxattr(byte* path, byte* list, nuint size);
}
