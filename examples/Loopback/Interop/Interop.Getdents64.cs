using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

/// <summary>The fixed head of struct linux_dirent64; the NUL-terminated name follows at offset 19.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct LinuxDirent64
{
    public ulong Ino;
    public long Off;
    public ushort RecLen;
    public byte Type;
}

internal static partial class Libc
{
    internal const int DirentNameOffset = 19;

    [LibraryImport("libc", EntryPoint = "getdents64", SetLastError = true)]
    internal static unsafe partial nint Getdents64(int fd, byte* buffer, nuint count);
}
