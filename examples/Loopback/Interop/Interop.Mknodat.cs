using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "mknodat", SetLastError = true)]
    internal static unsafe partial int Mknodat(int dirFd, byte* path, uint mode, ulong dev);
}
