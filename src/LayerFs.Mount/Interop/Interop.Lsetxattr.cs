using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{

    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true)]
    public static partial int Lsetxattr(byte* path, byte* name, byte* value, nint size, int flags);
}
