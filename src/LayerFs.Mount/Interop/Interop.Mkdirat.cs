using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true)]
    public static partial int Mkdirat(int dirFd, byte* path, uint mode);
}
