using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

internal static partial class Libc
{
    internal const ulong MS_RDONLY = 1;
    internal const ulong MS_NOSUID = 2;
    internal const ulong MS_NODEV = 4;
    internal const ulong MS_NOEXEC = 8;

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Mount(string source, string target, string fileSystemType, ulong flags, string? data);
}
