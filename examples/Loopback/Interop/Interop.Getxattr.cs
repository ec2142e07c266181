using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "getxattr", SetLastError = true)]
    internal static unsafe partial nint Getxattr(byte* path, byte* name, byte* value, nuint size);
}
