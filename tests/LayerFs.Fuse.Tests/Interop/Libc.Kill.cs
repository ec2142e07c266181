using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Tests.Interop;

internal static partial class Libc
{
    internal const int SIGINT = 2;
    internal const int SIGKILL = 9;
    internal const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}
