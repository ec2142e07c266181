using System.Runtime.InteropServices;

namespace LayerFs.Store.Interop;

internal static partial class Libc
{
    /// <summary>ENODATA: no such attribute. ERANGE: the buffer is too small (the list grew meanwhile).</summary>
    internal const int ENODATA = 61;
    internal const int ERANGE = 34;
    internal const int ENOTSUP = 95;

    [LibraryImport("libc", EntryPoint = "llistxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static unsafe partial nint Llistxattr(string path, byte* list, nuint size);
}
