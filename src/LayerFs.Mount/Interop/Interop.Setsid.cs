using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static partial class Libc
{
    /// <summary>Makes the calling process a session leader with no controlling terminal.</summary>
    [LibraryImport("libc", EntryPoint = "setsid", SetLastError = true)]
    public static partial int Setsid();
}
