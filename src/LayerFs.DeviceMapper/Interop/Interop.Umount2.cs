using System.Runtime.InteropServices;

namespace LayerFs.DeviceMapper.Interop;

internal static partial class Libc
{
    /// <summary>MNT_DETACH: lazy unmount, the name goes now and the filesystem when its last user leaves.</summary>
    internal const int MNT_DETACH = 2;
    internal const int EBUSY = 16;
    internal const int EINVAL = 22;
    internal const int ENOENT = 2;

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Umount2(string target, int flags);
}
