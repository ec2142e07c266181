using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true)]
    internal static unsafe partial int Lsetxattr(byte* path, byte* name, byte* value, nuint size, int flags);
}
