using System.Runtime.InteropServices;

namespace LayerFs.Store.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "lgetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static unsafe partial nint Lgetxattr(string path, byte* name, byte* value, nuint size);
}
