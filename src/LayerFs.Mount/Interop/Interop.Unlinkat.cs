using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{
    public const int AT_REMOVEDIR = 0x200;

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true)]
    public static partial int Unlinkat(int dirFd, byte* path, int flags);
}
