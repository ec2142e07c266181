using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true)]
    internal static unsafe partial nint Lgetxattr(byte* path, byte* name, byte* value, nuint size);
}
