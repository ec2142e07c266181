using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{

    [LibraryImport("libc", EntryPoint = "lremovexattr", SetLastError = true)]
    public static partial int Lremovexattr(byte* path, byte* name);
}
