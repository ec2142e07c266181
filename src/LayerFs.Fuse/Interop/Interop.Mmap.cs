using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

internal static partial class Libc
{
    internal const int PROT_READ = 0x1;
    internal const int PROT_WRITE = 0x2;
    internal const int MAP_SHARED = 0x01;
    internal const int MAP_POPULATE = 0x8000;

    /// <summary>mmap(2); returns MAP_FAILED (-1) on error. Maps the io_uring rings.</summary>
    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    internal static unsafe partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, long offset);
}
