using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "listxattr", SetLastError = true)]
    internal static unsafe partial nint Listxattr(byte* path, byte* list, nuint size);
}
