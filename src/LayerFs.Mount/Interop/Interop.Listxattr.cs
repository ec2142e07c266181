using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{
    /// <summary>Follows a final symlink, unlike the l- variant: for /proc/self/fd/N of an O_PATH fd.</summary>
    [LibraryImport("libc", EntryPoint = "listxattr", SetLastError = true)]
    public static partial nint Listxattr(byte* path, byte* list, nint size);
}
