using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

// struct statx is public: see LayerFs.Fuse.Statx.

internal static partial class Libc
{
    internal const int AT_FDCWD = -100;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const int AT_EMPTY_PATH = 0x1000;
    internal const int AT_STATX_FORCE_SYNC = 0x2000;
    internal const uint STATX_TYPE = 0x1;
    internal const uint STATX_MODE = 0x2;
    internal const uint S_IFMT = 0xF000;
    internal const uint S_IFDIR = 0x4000;
    internal const uint S_IFCHR = 0x2000;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static unsafe partial int Statx(int dirFd, string path, int flags, uint mask, Statx* buffer);
}
