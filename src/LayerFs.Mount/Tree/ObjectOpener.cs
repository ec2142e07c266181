using System.Runtime.InteropServices;
using LayerFs.Mount.Interop;
using LayerFs.Store;
using Microsoft.Win32.SafeHandles;

namespace LayerFs.Mount.Tree;

/// <summary>
/// Opens objects for reading by their hash, relative to the store's objects/ directory. Every
/// OPEN of a layer file costs one, so it is one openat and nothing else: no path string, and none
/// of the fstat and advisory lock File.OpenHandle adds. O_NOATIME where the daemon may use it
/// (it owns the store, or is root): reading an object is nobody's access to remember.
/// </summary>
internal sealed unsafe class ObjectOpener : IDisposable
{
    private const int O_NOATIME = 0x40000;
    private const int ENOENT = 2;
    private const int EPERM = 1;

    private readonly StoreLayout _layout;
    private int _dirFd = -1;
    private int _flags = Libc.O_RDONLY | Libc.O_CLOEXEC | O_NOATIME;

    public ObjectOpener(StoreLayout layout) => _layout = layout;

    /// <summary>The open object, or null if the store has no such object.</summary>
    /// <exception cref="IOException">objects/ or the object cannot be opened.</exception>
    public SafeFileHandle? Open(ReadOnlySpan<byte> hash)
    {
        // "ab/abcdef…\0": the first two hex digits name the fan-out directory.
        Span<byte> path = stackalloc byte[3 + hash.Length * 2 + 1];
        WriteHex(hash[..1], path);
        path[2] = (byte)'/';
        WriteHex(hash, path[3..]);
        path[^1] = 0;
        var dir = DirFd();
        if (dir < 0)
            return null;
        while (true)
        {
            int fd;
            var flags = _flags;
            fixed (byte* p = path)
                fd = Libc.Openat(dir, p, flags, 0);
            if (fd >= 0)
                return new SafeFileHandle(fd, ownsHandle: true);
            var errno = Marshal.GetLastPInvokeError();
            if (errno == EPERM && (flags & O_NOATIME) != 0)
            {
                // Neither owner nor CAP_FOWNER: open as everyone does.
                _flags = flags & ~O_NOATIME;
                continue;
            }
            if (errno == ENOENT)
                return null;
            throw new IOException($"cannot open object {Convert.ToHexStringLower(hash)}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    /// <summary>objects/, opened at the first use (a fresh store has none until its first import).</summary>
    private int DirFd()
    {
        var fd = Volatile.Read(ref _dirFd);
        if (fd >= 0)
            return fd;
        var path = System.Text.Encoding.UTF8.GetBytes(_layout.ObjectsDir + "\0");
        fixed (byte* p = path)
            fd = Libc.Openat(Libc.AT_FDCWD, p, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
            return -1;
        var held = Interlocked.CompareExchange(ref _dirFd, fd, -1);
        if (held < 0)
            return fd;
        Libc.Close(fd);
        return held;
    }

    private static void WriteHex(ReadOnlySpan<byte> bytes, Span<byte> into)
    {
        const string digits = "0123456789abcdef";
        for (var i = 0; i < bytes.Length; i++)
        {
            into[2 * i] = (byte)digits[bytes[i] >> 4];
            into[2 * i + 1] = (byte)digits[bytes[i] & 0xf];
        }
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _dirFd, -1);
        if (fd >= 0)
            Libc.Close(fd);
    }
}
