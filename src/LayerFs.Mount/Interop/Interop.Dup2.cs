using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    public static partial int Dup2(int oldFd, int newFd);
}
