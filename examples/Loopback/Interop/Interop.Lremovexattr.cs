using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "lremovexattr", SetLastError = true)]
    internal static unsafe partial int Lremovexattr(byte* path, byte* name);
}
