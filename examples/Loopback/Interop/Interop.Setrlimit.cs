using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

[StructLayout(LayoutKind.Sequential)]
internal struct Rlimit
{
    public ulong Current;
    public ulong Maximum;
}

internal static partial class Libc
{
    internal const int RLIMIT_NOFILE = 7;

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    internal static unsafe partial int Setrlimit(int resource, Rlimit* limit);
}
