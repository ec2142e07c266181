using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "truncate64", SetLastError = true)]
    internal static unsafe partial int Truncate(byte* path, long length);
}
