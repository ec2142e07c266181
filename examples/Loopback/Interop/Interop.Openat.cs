using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    internal const int AT_FDCWD = -100;
    internal const int O_RDONLY = 0x0;
    internal const int O_WRONLY = 0x1;
    internal const int O_RDWR = 0x2;
    internal const int O_ACCMODE = 0x3;
    internal const int O_CREAT = 0x40;
    internal const int O_EXCL = 0x80;
    internal const int O_NOCTTY = 0x100;
    internal const int O_TRUNC = 0x200;
    internal const int O_APPEND = 0x400;
    internal const int O_DIRECTORY = 0x10000;
    internal const int O_NOFOLLOW = 0x20000;
    internal const int O_CLOEXEC = 0x80000;
    internal const int O_PATH = 0x200000;

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    internal static unsafe partial int Openat(int dirFd, byte* path, int flags, uint mode);
}
