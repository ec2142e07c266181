using System.Runtime.InteropServices;

namespace LayerFs.Store.Interop;

internal static partial class Libc
{
    internal const int ERANGE = 34;
    internal const int ENODATA = 61;
    internal const int EINVAL = 22;
    internal const int ENOTSUP = 95;

    [LibraryImport("libc", EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint Llistxattr(string path, Span<byte> list, nuint size);
}
