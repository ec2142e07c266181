using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint Geteuid();
}
