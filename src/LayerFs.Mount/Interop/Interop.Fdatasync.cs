using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    public static partial int Fdatasync(int fd);
}
