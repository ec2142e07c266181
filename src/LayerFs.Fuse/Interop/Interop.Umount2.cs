using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

internal static partial class Libc
{
    /// <summary>MNT_DETACH: lazy unmount, the name goes now and the filesystem when its last user leaves.</summary>
    internal const int MNT_DETACH = 2;

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Umount2(string target, int flags);
}
