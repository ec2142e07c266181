using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static partial class Libc
{
    public const int F_GETFD = 1;
    public const int F_SETFD = 2;
    public const int FD_CLOEXEC = 1;

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);
}
