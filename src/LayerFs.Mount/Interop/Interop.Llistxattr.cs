using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{

    [LibraryImport("libc", EntryPoint = "llistxattr", SetLastError = true)]
    public static partial nint Llistxattr(byte* path, byte* list, nint size);
}
