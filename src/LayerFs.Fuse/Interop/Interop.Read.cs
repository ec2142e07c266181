using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

internal static partial class Libc
{
    /// <summary>One read of /dev/fuse returns exactly one request.</summary>
    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint Read(SafeHandle fd, byte* buffer, nuint count);
}
