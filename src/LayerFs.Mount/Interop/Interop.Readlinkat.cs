using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{

    [LibraryImport("libc", EntryPoint = "readlinkat", SetLastError = true)]
    public static partial nint Readlinkat(int dirFd, byte* path, byte* buffer, nint size);
}
