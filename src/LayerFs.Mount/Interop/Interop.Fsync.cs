using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);
}
