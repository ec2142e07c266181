using Microsoft.Win32.SafeHandles;

namespace LayerFs.Store.Leases;

/// <summary>
/// A held lease: its file under leases/, open and flock()ed shared for as long as the lease
/// lives. Dispose removes the file; if the process dies instead, the kernel drops the flock and
/// the next garbage collection finds the file dead and removes it, so a crash never leaks a lease.
/// </summary>
public sealed class Lease : IDisposable
{
    private readonly SafeFileHandle _handle;
    private int _disposed;

    internal Lease(string path, SafeFileHandle handle, IReadOnlyList<LeaseKey> keys)
    {
        Path = path;
        _handle = handle;
        Keys = keys;
    }

    public string Path { get; }

    public IReadOnlyList<LeaseKey> Keys { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        // Unlink first, then close (which drops the flock): a collector that opened the file just
        // before the unlink takes the lock only after the close, and finds nothing to protect.
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The collector removes it once the flock is gone.
        }
        _handle.Dispose();
    }
}
