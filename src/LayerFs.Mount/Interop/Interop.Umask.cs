using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{

    [LibraryImport("libc", EntryPoint = "umask", SetLastError = true)]
    public static partial uint Umask(uint mask);
}
