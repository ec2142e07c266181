using System.Runtime.InteropServices;
using LayerFs.Store.Interop;
using Microsoft.Win32.SafeHandles;

namespace LayerFs.Store.Index;

/// <summary>
/// Pins on layers, for readers that keep reading a layer's objects after they have let go of its
/// rows (an open layer.tar, which opens each object as the reader gets to it). A pin is a shared
/// byte-range lock (an open file description lock) on byte <c>layer id</c> of the store's lock
/// file, so it lives exactly as long as the reader's fd, dies with its process, and is seen by
/// another process as well as by another open in the same one. The garbage collector deletes a
/// removed layer's rows as usual but keeps the object files of a pinned layer: the next prune,
/// with the pin gone, sweeps them as files no row names.
/// </summary>
public sealed class LayerPin : IDisposable
{
    private readonly SafeFileHandle _handle;

    private LayerPin(SafeFileHandle handle, long layerId)
    {
        _handle = handle;
        LayerId = layerId;
    }

    /// <summary>The pinned layer's row id.</summary>
    public long LayerId { get; }

    /// <summary>Pins a layer; throws StoreException if the lock file cannot be opened or locked.</summary>
    public static unsafe LayerPin Take(StoreLayout layout, long layerId)
    {
        var handle = OpenLockFile(layout, Libc.O_RDONLY);
        var range = Range(Libc.F_RDLCK, layerId);
        if (Libc.FcntlLock((int)handle.DangerousGetHandle(), Libc.F_OFD_SETLK, &range) != 0)
        {
            var error = Marshal.GetLastPInvokeErrorMessage();
            handle.Dispose();
            throw new StoreException($"cannot pin layer {layerId} in {layout.LockPath}: {error}");
        }
        return new LayerPin(handle, layerId);
    }

    /// <summary>Whether any open file (of any process) pins the layer. <paramref name="lockFile"/> is an fd of the lock file.</summary>
    internal static unsafe bool IsPinned(SafeFileHandle lockFile, long layerId)
    {
        var range = Range(Libc.F_WRLCK, layerId);
        if (Libc.FcntlLock((int)lockFile.DangerousGetHandle(), Libc.F_OFD_GETLK, &range) != 0)
            return true; // cannot tell: keep the files, the next prune gets another chance
        return range.Type != Libc.F_UNLCK;
    }

    internal static SafeFileHandle OpenLockFile(StoreLayout layout, int flags)
    {
        var fd = Libc.Open(layout.LockPath, flags | Libc.O_CLOEXEC, 0);
        if (fd < 0)
            throw new StoreException($"cannot open {layout.LockPath}: {Marshal.GetLastPInvokeErrorMessage()}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static Libc.LockRange Range(short type, long layerId) =>
        new() { Type = type, Whence = Libc.SEEK_SET, Start = layerId, Length = 1 };

    public void Dispose() => _handle.Dispose();
}
