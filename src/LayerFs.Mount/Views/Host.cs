using LayerFs.Fuse;
using System.Runtime.InteropServices;
using System.Text;
using LayerFs.Mount.Interop;

namespace LayerFs.Mount.Views;

/// <summary>
/// The host calls a view's upper directory is worked with: every path is one name relative to an
/// open directory (so that paths near PATH_MAX in the view never become long host paths), names
/// are raw bytes, and results are 0 or a positive errno, as FUSE answers them.
/// </summary>
internal static unsafe class Host
{
    public const uint S_IFMT = 0xF000;
    public const uint S_IFDIR = 0x4000;
    public const uint S_IFCHR = 0x2000;
    public const uint S_IFREG = 0x8000;
    public const uint S_IFLNK = 0xA000;
    public const uint S_ISUID = 0x800;
    public const uint S_ISGID = 0x400;
    public const uint S_IXGRP = 0x8;

    private static int Errno() => Marshal.GetLastPInvokeError();

    /// <summary>The name as a NUL-terminated C string.</summary>
    public static byte[] C(ReadOnlySpan<byte> name)
    {
        var z = new byte[name.Length + 1];
        name.CopyTo(z);
        return z;
    }

    public static byte[] C(string text) => C(Encoding.UTF8.GetBytes(text));

    /// <summary>"/proc/self/fd/N/NAME": a path to a name inside an open directory, for the calls that take no directory fd (xattrs).</summary>
    public static byte[] ProcPath(int dirFd, ReadOnlySpan<byte> name)
    {
        var prefix = Encoding.ASCII.GetBytes($"/proc/self/fd/{dirFd}/");
        var z = new byte[prefix.Length + name.Length + 1];
        prefix.CopyTo(z, 0);
        name.CopyTo(z.AsSpan(prefix.Length));
        return z;
    }

    /// <summary>"/proc/self/fd/N": the file an O_PATH fd stands for, followed by the calls that follow links.</summary>
    public static byte[] ProcPath(int fd) => C($"/proc/self/fd/{fd}");

    public static int Stat(int dirFd, ReadOnlySpan<byte> name, out Statx st)
    {
        var z = C(name);
        fixed (byte* p = z)
        fixed (Statx* s = &st)
            return Libc.StatxAt(dirFd, p, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS | Libc.STATX_BTIME, s) == 0 ? 0 : Errno();
    }

    /// <summary>statx of what an fd (O_PATH included) stands for.</summary>
    public static int StatFd(int fd, out Statx st)
    {
        byte empty = 0;
        fixed (Statx* s = &st)
            return Libc.StatxAt(fd, &empty, Libc.AT_EMPTY_PATH | Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS | Libc.STATX_BTIME, s) == 0 ? 0 : Errno();
    }

    public static int Open(int dirFd, ReadOnlySpan<byte> name, int flags, uint mode, out int fd)
    {
        var z = C(name);
        fixed (byte* p = z)
            fd = Libc.Openat(dirFd, p, flags | Libc.O_CLOEXEC, mode);
        return fd >= 0 ? 0 : Errno();
    }

    public static int Close(int fd) => Libc.Close(fd) == 0 ? 0 : Errno();

    public static int MkDir(int dirFd, ReadOnlySpan<byte> name, uint mode)
    {
        var z = C(name);
        fixed (byte* p = z)
            return Libc.Mkdirat(dirFd, p, mode) == 0 ? 0 : Errno();
    }

    public static int MkNod(int dirFd, ReadOnlySpan<byte> name, uint mode, ulong device)
    {
        var z = C(name);
        fixed (byte* p = z)
            return Libc.Mknodat(dirFd, p, mode, device) == 0 ? 0 : Errno();
    }

    public static int Unlink(int dirFd, ReadOnlySpan<byte> name, bool directory = false)
    {
        var z = C(name);
        fixed (byte* p = z)
            return Libc.Unlinkat(dirFd, p, directory ? Libc.AT_REMOVEDIR : 0) == 0 ? 0 : Errno();
    }

    public static int Rename(int fromDir, ReadOnlySpan<byte> from, int toDir, ReadOnlySpan<byte> to, uint flags = 0)
    {
        var a = C(from);
        var b = C(to);
        fixed (byte* pa = a)
        fixed (byte* pb = b)
            return Libc.Renameat2(fromDir, pa, toDir, pb, flags) == 0 ? 0 : Errno();
    }

    public static int Link(int fromDir, ReadOnlySpan<byte> from, int toDir, ReadOnlySpan<byte> to, int flags = 0)
    {
        var a = C(from);
        var b = C(to);
        fixed (byte* pa = a)
        fixed (byte* pb = b)
            return Libc.Linkat(fromDir, pa, toDir, pb, flags) == 0 ? 0 : Errno();
    }

    public static int Symlink(ReadOnlySpan<byte> target, int dirFd, ReadOnlySpan<byte> name)
    {
        var a = C(target);
        var b = C(name);
        fixed (byte* pa = a)
        fixed (byte* pb = b)
            return Libc.Symlinkat(pa, dirFd, pb) == 0 ? 0 : Errno();
    }

    public static int ReadLink(int dirFd, ReadOnlySpan<byte> name, out byte[] target)
    {
        var z = C(name);
        var buffer = new byte[4097];
        nint n;
        fixed (byte* p = z)
        fixed (byte* b = buffer)
            n = Libc.Readlinkat(dirFd, p, b, buffer.Length);
        if (n < 0)
        {
            target = [];
            return Errno();
        }
        target = buffer[..(int)n];
        return 0;
    }

    public static int Chown(int dirFd, ReadOnlySpan<byte> name, uint uid, uint gid, int flags = Libc.AT_SYMLINK_NOFOLLOW)
    {
        var z = C(name);
        fixed (byte* p = z)
            return Libc.Fchownat(dirFd, p, uid, gid, flags) == 0 ? 0 : Errno();
    }

    public static int Chmod(int dirFd, ReadOnlySpan<byte> name, uint mode)
    {
        var z = C(name);
        fixed (byte* p = z)
            return Libc.Fchmodat(dirFd, p, mode & 0xFFF, 0) == 0 ? 0 : Errno();
    }

    public static int SetTimes(int dirFd, ReadOnlySpan<byte> name, Timespec atime, Timespec mtime, int flags = Libc.AT_SYMLINK_NOFOLLOW)
    {
        var z = C(name);
        var times = stackalloc Timespec[2];
        times[0] = atime;
        times[1] = mtime;
        fixed (byte* p = z)
            return Libc.Utimensat(dirFd, p, times, flags) == 0 ? 0 : Errno();
    }

    public static Timespec Time(long seconds, long nanoseconds) => new() { Seconds = seconds, Nanoseconds = nanoseconds };

    public static Timespec Omit => new() { Nanoseconds = Libc.UTIME_OMIT };

    public static Timespec Now => new() { Nanoseconds = Libc.UTIME_NOW };

    public static int Fsync(int fd, bool dataOnly = false) => (dataOnly ? Libc.Fdatasync(fd) : Libc.Fsync(fd)) == 0 ? 0 : Errno();

    public static int Truncate(int fd, long length) => Libc.Ftruncate(fd, length) == 0 ? 0 : Errno();

    public static int Fallocate(int fd, int mode, long offset, long length) => Libc.Fallocate(fd, mode, offset, length) == 0 ? 0 : Errno();

    /// <param name="follow">Follow a final symlink: for /proc/self/fd/N of an O_PATH fd, whose l- call would ask procfs.</param>
    public static int GetXattr(byte[] path, ReadOnlySpan<byte> name, out byte[] value, bool follow = false)
    {
        var n = C(name);
        value = [];
        fixed (byte* p = path)
        fixed (byte* pn = n)
        {
            while (true)
            {
                var size = follow ? Libc.Getxattr(p, pn, null, 0) : Libc.Lgetxattr(p, pn, null, 0);
                if (size < 0)
                    return Errno();
                var buffer = new byte[size];
                fixed (byte* b = buffer)
                {
                    var got = follow ? Libc.Getxattr(p, pn, b, buffer.Length) : Libc.Lgetxattr(p, pn, b, buffer.Length);
                    if (got >= 0)
                    {
                        value = buffer[..(int)got];
                        return 0;
                    }
                    if (Errno() != Fuse.Errno.ERANGE)
                        return Errno();
                }
            }
        }
    }

    public static int SetXattr(byte[] path, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags, bool follow = false)
    {
        var n = C(name);
        fixed (byte* p = path)
        fixed (byte* pn = n)
        fixed (byte* v = value)
            return (follow ? Libc.Setxattr(p, pn, v, value.Length, flags) : Libc.Lsetxattr(p, pn, v, value.Length, flags)) == 0 ? 0 : Errno();
    }

    public static int RemoveXattr(byte[] path, ReadOnlySpan<byte> name, bool follow = false)
    {
        var n = C(name);
        fixed (byte* p = path)
        fixed (byte* pn = n)
            return (follow ? Libc.Removexattr(p, pn) : Libc.Lremovexattr(p, pn)) == 0 ? 0 : Errno();
    }

    /// <summary>The names of the entry's xattrs (NUL-separated list split).</summary>
    public static int ListXattr(byte[] path, out List<byte[]> names, bool follow = false)
    {
        names = [];
        fixed (byte* p = path)
        {
            while (true)
            {
                var size = follow ? Libc.Listxattr(p, null, 0) : Libc.Llistxattr(p, null, 0);
                if (size < 0)
                    return Errno();
                if (size == 0)
                    return 0;
                var buffer = new byte[size];
                nint got;
                fixed (byte* b = buffer)
                    got = follow ? Libc.Listxattr(p, b, buffer.Length) : Libc.Llistxattr(p, b, buffer.Length);
                if (got < 0)
                {
                    if (Errno() == Fuse.Errno.ERANGE)
                        continue;
                    return Errno();
                }
                var start = 0;
                for (var i = 0; i < got; i++)
                {
                    if (buffer[i] != 0)
                        continue;
                    if (i > start)
                        names.Add(buffer[start..i]);
                    start = i + 1;
                }
                return 0;
            }
        }
    }

    /// <summary>One directory entry as getdents64 gives it.</summary>
    public readonly record struct DirEntry(byte[] Name, ulong Ino, byte Type);

    public const byte DT_UNKNOWN = 0;
    public const byte DT_CHR = 2;
    public const byte DT_DIR = 4;

    /// <summary>The names of an open directory (fd opened O_RDONLY|O_DIRECTORY), without "." and "..".</summary>
    public static int ReadDirectory(int fd, List<DirEntry> entries)
    {
        var buffer = new byte[64 * 1024];
        fixed (byte* b = buffer)
        {
            while (true)
            {
                var n = Libc.Getdents64(fd, b, buffer.Length);
                if (n < 0)
                    return Errno();
                if (n == 0)
                    return 0;
                var offset = 0;
                while (offset < n)
                {
                    var ino = *(ulong*)(b + offset);
                    var reclen = *(ushort*)(b + offset + 16);
                    var type = b[offset + 18];
                    var nameStart = offset + 19;
                    var nameEnd = nameStart;
                    while (nameEnd < offset + reclen && b[nameEnd] != 0)
                        nameEnd++;
                    var name = buffer.AsSpan(nameStart, nameEnd - nameStart);
                    if (!(name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)))
                        entries.Add(new DirEntry(name.ToArray(), ino, type));
                    offset += reclen;
                }
            }
        }
    }

    /// <summary>Copies length bytes from one fd to another (copy_file_range, which clones where the filesystem can).</summary>
    public static int CopyRange(int from, int to, long length)
    {
        long inOff = 0, outOff = 0;
        while (inOff < length)
        {
            var n = Libc.CopyFileRange(from, &inOff, to, &outOff, (nint)Math.Min(length - inOff, 1L << 30), 0);
            if (n < 0)
                return Errno();
            if (n == 0)
                break;
        }
        return 0;
    }

    public static int PRead(int fd, Span<byte> buffer, long offset, out int read)
    {
        read = 0;
        fixed (byte* b = buffer)
        {
            while (read < buffer.Length)
            {
                var n = Libc.Pread(fd, b + read, buffer.Length - read, offset + read);
                if (n < 0)
                {
                    if (Errno() == Fuse.Errno.EINTR)
                        continue;
                    return Errno();
                }
                if (n == 0)
                    break;
                read += (int)n;
            }
        }
        return 0;
    }

    public static int PWrite(int fd, ReadOnlySpan<byte> data, long offset, out int written)
    {
        written = 0;
        fixed (byte* b = data)
        {
            while (written < data.Length)
            {
                var n = Libc.Pwrite(fd, b + written, data.Length - written, offset + written);
                if (n < 0)
                {
                    if (Errno() == Fuse.Errno.EINTR)
                        continue;
                    return Errno();
                }
                written += (int)n;
            }
        }
        return 0;
    }

    /// <summary>glibc's makedev from the kernel's 32-bit new_encode_dev form FUSE carries.</summary>
    public static ulong DeviceFromFuse(uint rdev)
    {
        ulong major = (rdev >> 8) & 0xFFF;
        ulong minor = (rdev & 0xFF) | ((rdev >> 12) & 0xFFF00);
        return ((major & 0xFFFFF000) << 32) | ((major & 0xFFF) << 8) | ((minor & 0xFFFFFF00) << 12) | (minor & 0xFF);
    }

    public static bool IsWhiteout(in Statx st) => (st.Mode & S_IFMT) == S_IFCHR && st.RdevMajor == 0 && st.RdevMinor == 0;

    /// <summary>Birth time in nanoseconds: with the inode number, what tells one upper inode from a later one that reuses its number.</summary>
    public static long BirthNs(in Statx st) => (st.Mask & Libc.STATX_BTIME) != 0 ? st.BtimeSec * 1_000_000_000L + st.BtimeNsec : 0;
}
