using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);
}
