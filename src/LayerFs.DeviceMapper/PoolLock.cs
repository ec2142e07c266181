using System.Runtime.InteropServices;
using LayerFs.DeviceMapper.Interop;
using Microsoft.Win32.SafeHandles;

namespace LayerFs.DeviceMapper;

/// <summary>
/// flock() on STORE/devicemapper/lock: one process at a time changes the pool, its records or the
/// activations. Separate from the store's lock, which `view create` and `view rm` already hold
/// when they reach the snapshotter while `diff` and `mount` may not; the kernel drops it when the
/// holder dies, so a killed command never leaves it taken (and whatever it left half done is
/// found by the next holder, who alone may touch it).
/// </summary>
internal sealed class PoolLock : IDisposable
{
    private readonly SafeFileHandle _handle;

    private PoolLock(SafeFileHandle handle) => _handle = handle;

    public static PoolLock Take(string path)
    {
        var fd = Libc.Open(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0b110_000_000);
        if (fd < 0)
            throw new DeviceMapperException($"cannot open {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        while (Libc.Flock(fd, Libc.LOCK_EX) != 0)
        {
            if (Marshal.GetLastPInvokeError() != 4 /* EINTR */)
            {
                handle.Dispose();
                throw new DeviceMapperException($"cannot lock {path}: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
        return new PoolLock(handle);
    }

    public void Dispose() => _handle.Dispose();
}
