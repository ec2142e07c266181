using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{

    [LibraryImport("libc", EntryPoint = "symlinkat", SetLastError = true)]
    public static partial int Symlinkat(byte* target, int dirFd, byte* path);
}
