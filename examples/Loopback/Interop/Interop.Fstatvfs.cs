using System.Runtime.InteropServices;

namespace LayerFs.Examples.Loopback.Interop;

/// <summary>glibc's struct statvfs on 64-bit Linux (x86_64 and arm64 agree).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Statvfs
{
    public ulong Bsize;
    public ulong Frsize;
    public ulong Blocks;
    public ulong Bfree;
    public ulong Bavail;
    public ulong Files;
    public ulong Ffree;
    public ulong Favail;
    public ulong Fsid;
    public ulong Flag;
    public ulong Namemax;
    public fixed int Spare[6];
}

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "fstatvfs", SetLastError = true)]
    internal static unsafe partial int Fstatvfs(int fd, Statvfs* buffer);
}
