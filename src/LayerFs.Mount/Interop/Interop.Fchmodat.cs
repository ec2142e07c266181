using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{

    [LibraryImport("libc", EntryPoint = "fchmodat", SetLastError = true)]
    public static partial int Fchmodat(int dirFd, byte* path, uint mode, int flags);
}
