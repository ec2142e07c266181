using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{
    public const int AT_SYMLINK_FOLLOW = 0x400;

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true)]
    public static partial int Linkat(int oldDirFd, byte* oldPath, int newDirFd, byte* newPath, int flags);
}
