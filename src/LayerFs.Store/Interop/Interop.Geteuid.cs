using System.Runtime.InteropServices;

namespace LayerFs.Store.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint Geteuid();
}
