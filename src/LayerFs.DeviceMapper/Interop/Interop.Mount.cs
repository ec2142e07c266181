using System.Runtime.InteropServices;

namespace LayerFs.DeviceMapper.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Mount(string source, string target, string fileSystemType, ulong flags, string? data);
}
