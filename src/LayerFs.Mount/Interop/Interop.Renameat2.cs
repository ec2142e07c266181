using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static unsafe partial class Libc
{
    public const uint RENAME_NOREPLACE = 1;
    public const uint RENAME_EXCHANGE = 2;
    public const uint RENAME_WHITEOUT = 4;

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    public static partial int Renameat2(int oldDirFd, byte* oldPath, int newDirFd, byte* newPath, uint flags);
}
