using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{

    [LibraryImport("libc", EntryPoint = "mknodat", SetLastError = true)]
    public static partial int Mknodat(int dirFd, byte* path, uint mode, ulong device);
}
