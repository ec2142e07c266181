using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

internal static partial class Libc
{
    /// <summary>sched_setaffinity(2) for the calling thread (pid 0) with a cpu_set_t of maskBytes bytes.</summary>
    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    internal static unsafe partial int SchedSetAffinity(int pid, nuint maskBytes, byte* mask);
}
