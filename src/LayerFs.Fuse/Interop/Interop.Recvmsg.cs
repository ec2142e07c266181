using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

/// <summary>struct msghdr (64-bit Linux).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MsgHdr
{
    public void* Name;
    public uint NameLen;
    public IoVec* Iov;
    public nuint IovLen;
    public void* Control;
    public nuint ControlLen;
    public int Flags;
}

/// <summary>struct cmsghdr (64-bit Linux); the data follows at offset 16.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CmsgHdr
{
    public nuint Len;
    public int Level;
    public int Type;
}

internal static partial class Libc
{
    internal const int SOL_SOCKET = 1;
    internal const int SCM_RIGHTS = 1;
    internal const int MSG_CMSG_CLOEXEC = 0x40000000;

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    internal static unsafe partial nint Recvmsg(int fd, MsgHdr* message, int flags);
}
