using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{

    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true)]
    public static partial nint Lgetxattr(byte* path, byte* name, byte* value, nint size);
}
