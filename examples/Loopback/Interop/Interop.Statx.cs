using System.Runtime.InteropServices;
using LayerFs.Fuse;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const int AT_REMOVEDIR = 0x200;
    internal const int AT_SYMLINK_FOLLOW = 0x400;
    internal const int AT_EMPTY_PATH = 0x1000;
    internal const int AT_STATX_DONT_SYNC = 0x4000;
    internal const uint STATX_BASIC_STATS = 0x7ff;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    internal static unsafe partial int StatxCall(int dirFd, byte* path, int flags, uint mask, Statx* buffer);
}
