using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

/// <summary>
/// An open /dev/fuse fd. Being a SafeHandle matters here: a reader thread blocked in read()
/// holds a reference, so Dispose from another thread defers close() until that read returns and
/// the fd number can never be reused under a thread that still reads it.
/// </summary>
internal sealed class FuseDeviceHandle : SafeHandle
{
    public FuseDeviceHandle(int fd)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle < 0;

    public int Fd => (int)handle;

    /// <summary>Opens a fresh /dev/fuse (close-on-exec).</summary>
    public static FuseDeviceHandle OpenDevice()
    {
        var fd = Libc.Open("/dev/fuse", Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        if (fd < 0)
            throw Errors.Exception("open /dev/fuse", Marshal.GetLastPInvokeError());
        return new FuseDeviceHandle(fd);
    }

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
