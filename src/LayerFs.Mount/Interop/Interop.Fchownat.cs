using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_EMPTY_PATH = 0x1000;

    [LibraryImport("libc", EntryPoint = "fchownat", SetLastError = true)]
    public static partial int Fchownat(int dirFd, byte* path, uint uid, uint gid, int flags);
}
