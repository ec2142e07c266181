using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

internal static partial class Libc
{
    /// <summary>syscall(2) with up to six integer arguments: io_uring has no C library wrapper.</summary>
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    internal static partial long Syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);
}
