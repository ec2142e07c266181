using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

internal static partial class Libc
{
    internal const int AF_UNIX = 1;
    internal const int SOCK_STREAM = 1;
    internal const int SOCK_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    internal static unsafe partial int Socketpair(int domain, int type, int protocol, int* fds);
}
