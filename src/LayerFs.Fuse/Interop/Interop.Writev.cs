using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

/// <summary>struct iovec.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVec
{
    public void* Base;
    public nuint Length;

    public IoVec(void* start, nuint length)
    {
        Base = start;
        Length = length;
    }
}

internal static partial class Libc
{
    /// <summary>A reply is one writev of /dev/fuse; the kernel takes it whole or not at all.</summary>
    [LibraryImport("libc", EntryPoint = "writev", SetLastError = true)]
    internal static unsafe partial nint Writev(SafeHandle fd, IoVec* iov, int count);
}
