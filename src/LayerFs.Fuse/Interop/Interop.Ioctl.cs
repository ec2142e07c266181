using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

internal static partial class Libc
{
    /// <summary>ioctl(2) with a pointer argument (the only form /dev/fuse uses).</summary>
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int Ioctl(SafeHandle fd, nuint request, void* argument);
}
