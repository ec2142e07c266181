using System.Runtime.InteropServices;
using System.Text;
using LayerFs.Store.Interop;

namespace LayerFs.Store.Views;

/// <summary>
/// What lstat and the xattr calls say of one host path: the attributes a view's diff compares.
/// Times are nanoseconds since the epoch.
/// </summary>
internal sealed class HostEntry
{
    private const uint TypeMask = 0xF000;
    private const uint Directory = 0x4000;
    private const uint Regular = 0x8000;
    private const uint Symlink = 0xA000;
    private const uint CharDevice = 0x2000;
    private const uint BlockDevice = 0x6000;

    private HostEntry(string path, in Libc.Statx st)
    {
        Path = path;
        Mode = st.Mode;
        Uid = st.Uid;
        Gid = st.Gid;
        Size = st.Size;
        Nlink = st.NLink;
        Inode = st.Ino;
        MtimeNs = (st.MTime.Seconds * 1_000_000_000) + st.MTime.Nanoseconds;
        CtimeNs = (st.CTime.Seconds * 1_000_000_000) + st.CTime.Nanoseconds;
        Rdev = ((ulong)st.RdevMajor << 32) | st.RdevMinor;
    }

    public string Path { get; }
    public uint Mode { get; }
    public uint Uid { get; }
    public uint Gid { get; }
    public ulong Size { get; }
    public uint Nlink { get; }
    public ulong Inode { get; }
    public long MtimeNs { get; }
    public long CtimeNs { get; }
    public ulong Rdev { get; }

    public uint Type => Mode & TypeMask;
    public bool IsDirectory => Type == Directory;
    public bool IsRegular => Type == Regular;
    public bool IsSymlink => Type == Symlink;
    public bool IsDevice => Type is CharDevice or BlockDevice;

    /// <summary>lstat; throws IOException (with the path) on any error.</summary>
    public static HostEntry Lstat(string path)
    {
        if (Libc.StatxCall(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out var st) != 0)
            throw new IOException($"lstat {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        return new HostEntry(path, st);
    }

    public string LinkTarget() =>
        Checked(new FileInfo(Path).LinkTarget ?? throw new IOException($"readlink {Path}: not a symbolic link"), Path);

    /// <summary>Every extended attribute, by name; empty where the filesystem has none or does not support them.</summary>
    public SortedDictionary<string, byte[]> Xattrs()
    {
        var result = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        byte[] list;
        while (true)
        {
            var size = Libc.Llistxattr(Path, [], 0);
            if (size < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.ENOTSUP)
                    return result;
                throw new IOException($"llistxattr {Path}: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
            if (size == 0)
                return result;
            list = new byte[size];
            size = Libc.Llistxattr(Path, list, (nuint)list.Length);
            if (size >= 0)
            {
                list = list[..(int)size];
                break;
            }
            if (Marshal.GetLastPInvokeError() != Libc.ERANGE)
                throw new IOException($"llistxattr {Path}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        foreach (var name in Encoding.UTF8.GetString(list).Split('\0', StringSplitOptions.RemoveEmptyEntries))
            result[name] = XattrValue(name);
        return result;
    }

    private byte[] XattrValue(string name)
    {
        while (true)
        {
            var size = Libc.Lgetxattr(Path, name, [], 0);
            if (size < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.ENODATA)
                    return []; // removed meanwhile
                throw new IOException($"lgetxattr {Path}: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
            var value = new byte[size];
            size = Libc.Lgetxattr(Path, name, value, (nuint)value.Length);
            if (size >= 0)
                return value[..(int)size];
            if (Marshal.GetLastPInvokeError() != Libc.ERANGE)
                throw new IOException($"lgetxattr {Path}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }

    /// <summary>
    /// .NET decodes names as UTF-8 and replaces invalid bytes with U+FFFD, which a diff cannot
    /// represent (see <see cref="ViewChange"/>): such names are reported as errors.
    /// </summary>
    public static string Checked(string name, string where) =>
        name.Contains('\uFFFD', StringComparison.Ordinal)
            ? throw new StoreException($"{where}: a name that is not UTF-8 cannot be listed in a diff")
            : name;
}
