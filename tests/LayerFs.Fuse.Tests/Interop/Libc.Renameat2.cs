using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Tests.Interop;

internal static partial class Libc
{
    internal const int AT_FDCWD = -100;
    internal const uint RENAME_NOREPLACE = 1;
    internal const uint RENAME_EXCHANGE = 2;

    [LibraryImport("libc", EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Renameat2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);
}
