using System.Runtime.InteropServices;

namespace LayerFs.DeviceMapper.Interop;

internal static partial class Libc
{
    internal const int LOCK_EX = 2;

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    internal static partial int Flock(int fd, int operation);
}
