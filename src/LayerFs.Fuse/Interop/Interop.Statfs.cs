using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

internal static partial class Libc
{
    /// <summary>statfs.f_type of overlayfs (OVERLAYFS_SUPER_MAGIC).</summary>
    internal const long OVERLAYFS_SUPER_MAGIC = 0x794c7630;

    /// <summary>statfs.f_type of ecryptfs, the other stacking filesystem (ECRYPTFS_SUPER_MAGIC).</summary>
    internal const long ECRYPTFS_SUPER_MAGIC = 0xf15f;

    /// <summary>
    /// statfs(2) into a raw buffer: on 64-bit Linux (x86_64 and arm64) f_type is the first field,
    /// a long; the whole struct is at most 120 bytes.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "statfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static unsafe partial int Statfs(string path, byte* buffer);
}
