using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

internal static partial class Libc
{
    internal const int O_RDONLY = 0x0;
    internal const int O_RDWR = 0x2;
    internal const int O_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Open(string path, int flags, int mode);
}
