using System.Runtime.InteropServices;
using System.Text;
using LayerFs.Store.Interop;
using LayerFs.Tar;

namespace LayerFs.Store.Commit;

/// <summary>
/// What lstat(2), readlink(2) and the xattr calls say of one host file, as a tar entry needs it:
/// everything is read from the path itself, never through a final symlink.
/// </summary>
internal sealed record HostFile(
    TarEntryType? Type,
    uint Mode,
    uint Uid,
    uint Gid,
    long Size,
    long MTimeSeconds,
    int MTimeNanoseconds,
    int DevMajor,
    int DevMinor,
    (uint Major, uint Minor, ulong Ino) Identity,
    uint LinkCount)
{
    /// <summary>The file's type as a tar entry type; null for a socket (tar cannot hold one).</summary>
    public static HostFile Lstat(string path)
    {
        if (Libc.StatxCall(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out var st) != 0)
            throw new StoreException($"cannot read '{Escape.Text(path)}': {Marshal.GetLastPInvokeErrorMessage()}");
        TarEntryType? type = (st.Mode & Libc.S_IFMT) switch
        {
            Libc.S_IFREG => TarEntryType.Regular,
            Libc.S_IFDIR => TarEntryType.Directory,
            Libc.S_IFLNK => TarEntryType.Symlink,
            Libc.S_IFCHR => TarEntryType.CharDevice,
            Libc.S_IFBLK => TarEntryType.BlockDevice,
            Libc.S_IFIFO => TarEntryType.Fifo,
            _ => null,
        };
        var isDevice = type is TarEntryType.CharDevice or TarEntryType.BlockDevice;
        return new HostFile(
            type,
            st.Mode & 0xFFFu,
            st.Uid,
            st.Gid,
            (long)st.Size,
            st.MTime.Seconds,
            (int)st.MTime.Nanoseconds,
            isDevice ? (int)st.RdevMajor : 0,
            isDevice ? (int)st.RdevMinor : 0,
            (st.DevMajor, st.DevMinor, st.Ino),
            st.NLink);
    }

    /// <summary>A symlink's target, as raw bytes (a Linux target need not be UTF-8).</summary>
    public static byte[] ReadLink(string path)
    {
        var buffer = new byte[4096];
        var n = Libc.Readlink(path, buffer, (nuint)buffer.Length);
        if (n < 0)
            throw new StoreException($"cannot read the symlink '{Escape.Text(path)}': {Marshal.GetLastPInvokeErrorMessage()}");
        return buffer.AsSpan(0, (int)n).ToArray();
    }

    /// <summary>Every extended attribute of the path itself, sorted by name (so the tar does not depend on listing order).</summary>
    public static List<KeyValuePair<string, byte[]>> Xattrs(string path)
    {
        var names = ListXattrNames(path);
        var result = new List<KeyValuePair<string, byte[]>>(names.Count);
        foreach (var name in names.Order(StringComparer.Ordinal))
            if (GetXattr(path, name) is { } value)
                result.Add(new(name, value));
        return result;
    }

    private static List<string> ListXattrNames(string path)
    {
        while (true)
        {
            var size = Libc.Llistxattr(path, [], 0);
            if (size < 0)
                return Marshal.GetLastPInvokeError() == Libc.ENOTSUP ? [] : throw XattrError(path);
            if (size == 0)
                return [];
            var buffer = new byte[size];
            var n = Libc.Llistxattr(path, buffer, (nuint)buffer.Length);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == Libc.ERANGE)
                    continue; // attributes were added in between: ask again
                throw XattrError(path);
            }
            var names = new List<string>();
            foreach (var range in buffer.AsSpan(0, (int)n).Split((byte)0))
                if (range.End.Value > range.Start.Value)
                    names.Add(Encoding.UTF8.GetString(buffer.AsSpan(range)));
            return names;
        }
    }

    private static byte[]? GetXattr(string path, string name)
    {
        while (true)
        {
            var size = Libc.Lgetxattr(path, name, [], 0);
            if (size < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.ENODATA)
                    return null;
                // The kernel validates some values as it reads them (security.capability must be a
                // well-formed vfs_cap_data): one it refuses cannot be read back by anyone, so it
                // cannot be carried either; the view shows it the same way (unreadable).
                if (errno == Libc.EINVAL)
                {
                    Serilog.Log.Warning("commit: skipping the unreadable extended attribute {Name} of {Path}", name, path);
                    return null;
                }
                throw XattrError(path);
            }
            var buffer = new byte[size];
            var n = Libc.Lgetxattr(path, name, buffer, (nuint)buffer.Length);
            if (n >= 0)
                return buffer.AsSpan(0, (int)n).ToArray();
            if (Marshal.GetLastPInvokeError() == Libc.ENODATA)
                return null; // removed in between
            if (Marshal.GetLastPInvokeError() != Libc.ERANGE)
                throw XattrError(path);
        }
    }

    private static StoreException XattrError(string path) =>
        new($"cannot read the extended attributes of '{Escape.Text(path)}': {Marshal.GetLastPInvokeErrorMessage()}");
}
