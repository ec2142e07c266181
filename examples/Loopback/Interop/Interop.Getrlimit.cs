using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    internal static unsafe partial int Getrlimit(int resource, Rlimit* limit);
}
