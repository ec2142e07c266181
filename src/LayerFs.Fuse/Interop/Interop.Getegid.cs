using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "getegid")]
    internal static partial uint Getegid();
}
