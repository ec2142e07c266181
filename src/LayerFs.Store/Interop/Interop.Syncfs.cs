using System.Runtime.InteropServices;

namespace LayerFs.Store.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    internal static partial int Syncfs(int fd);
}
