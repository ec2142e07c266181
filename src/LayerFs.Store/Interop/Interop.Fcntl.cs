using System.Runtime.InteropServices;

namespace LayerFs.Store.Interop;

internal static partial class Libc
{
    // Open file description locks (Linux 3.15): byte-range locks owned by an open file, not by
    // the process, so two opens in one process conflict as two processes would.
    internal const int F_OFD_GETLK = 36;
    internal const int F_OFD_SETLK = 37;

    internal const short F_RDLCK = 0;
    internal const short F_WRLCK = 1;
    internal const short F_UNLCK = 2;

    internal const short SEEK_SET = 0;

    /// <summary>struct flock (64-bit Linux: 32 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct LockRange
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    internal static unsafe partial int FcntlLock(int fd, int command, LockRange* range);
}
