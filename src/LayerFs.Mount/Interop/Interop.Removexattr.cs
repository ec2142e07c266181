using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{
    /// <summary>Follows a final symlink, unlike the l- variant: for /proc/self/fd/N of an O_PATH fd.</summary>
    [LibraryImport("libc", EntryPoint = "removexattr", SetLastError = true)]
    public static partial int Removexattr(byte* path, byte* name);
}
