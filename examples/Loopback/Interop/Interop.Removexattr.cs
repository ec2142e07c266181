using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "removexattr", SetLastError = true)]
    internal static unsafe partial int Removexattr(byte* path, byte* name);
}
