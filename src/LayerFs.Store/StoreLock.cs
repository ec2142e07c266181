using System.Runtime.InteropServices;
using LayerFs.Store.Interop;
using Microsoft.Win32.SafeHandles;

namespace LayerFs.Store;

/// <summary>
/// flock() on the store's lock file. Commands that change the store hold it exclusively, one at
/// a time; a second writer waits (a second import of the same blob then finds it in place and
/// shares it). The kernel drops the lock when the process dies, so a killed command never
/// leaves the store locked.
/// </summary>
public sealed class StoreLock : IDisposable
{
    private readonly SafeFileHandle _handle;

    private StoreLock(SafeFileHandle handle) => _handle = handle;

    public static StoreLock Exclusive(StoreLayout layout, TimeSpan? wait = null) => Take(layout, Libc.LOCK_EX, wait);

    public static StoreLock Shared(StoreLayout layout, TimeSpan? wait = null) => Take(layout, Libc.LOCK_SH, wait);

    private static StoreLock Take(StoreLayout layout, int operation, TimeSpan? wait)
    {
        // Opened with open(2), not File.OpenHandle: .NET takes a flock of its own on every file
        // it opens, which would make two waiting writers block each other for good.
        var fd = Libc.Open(layout.LockPath, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0b110_000_000);
        if (fd < 0)
            throw new StoreException($"cannot open {layout.LockPath}: {Marshal.GetLastPInvokeErrorMessage()}");
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        var deadline = wait is { } w ? DateTime.UtcNow + w : DateTime.MaxValue;
        while (true)
        {
            if (Libc.Flock(fd, operation | Libc.LOCK_NB) == 0)
                return new StoreLock(handle);
            var errno = Marshal.GetLastPInvokeError();
            if (errno != 11 /* EWOULDBLOCK */ && errno != 4 /* EINTR */)
            {
                handle.Dispose();
                throw new StoreException($"cannot lock {layout.LockPath}: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
            if (DateTime.UtcNow >= deadline)
            {
                handle.Dispose();
                throw new StoreException($"the store {layout.Root} is busy (another layerfs command holds its lock)");
            }
            Thread.Sleep(20);
        }
    }

    public void Dispose() => _handle.Dispose();
}
