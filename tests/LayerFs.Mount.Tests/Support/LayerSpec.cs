using System.Formats.Tar;
using System.Text;

namespace LayerFs.Mount.Tests.Support;

/// <summary>
/// A layer written entry by entry, in the order given, as a PAX tar (System.Formats.Tar: an
/// independent writer, so the tests do not check LayerFs against itself).
/// </summary>
public sealed class LayerSpec
{
    public static readonly DateTimeOffset DefaultTime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private readonly List<Func<TarEntry>> _entries = [];

    public LayerSpec Dir(string path, int mode = 0b111_101_101, int uid = 0, int gid = 0, DateTimeOffset? mtime = null, Dictionary<string, string>? xattrs = null)
    {
        _entries.Add(() => Entry(TarEntryType.Directory, path, mode, uid, gid, mtime, xattrs));
        return this;
    }

    public LayerSpec File(string path, string content, int mode = 0b110_100_100, int uid = 0, int gid = 0, DateTimeOffset? mtime = null, Dictionary<string, string>? xattrs = null)
    {
        _entries.Add(() =>
        {
            var e = Entry(TarEntryType.RegularFile, path, mode, uid, gid, mtime, xattrs);
            e.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
            return e;
        });
        return this;
    }

    public LayerSpec Symlink(string path, string target, DateTimeOffset? mtime = null)
    {
        _entries.Add(() =>
        {
            var e = Entry(TarEntryType.SymbolicLink, path, 0b111_111_111, 0, 0, mtime, null);
            e.LinkName = target;
            return e;
        });
        return this;
    }

    public LayerSpec HardLink(string path, string target)
    {
        _entries.Add(() =>
        {
            var e = Entry(TarEntryType.HardLink, path, 0b110_100_100, 0, 0, null, null);
            e.LinkName = target;
            return e;
        });
        return this;
    }

    public LayerSpec Device(string path, bool block, int major, int minor, int mode = 0b110_110_110)
    {
        _entries.Add(() =>
        {
            var e = Entry(block ? TarEntryType.BlockDevice : TarEntryType.CharacterDevice, path, mode, 0, 0, null, null);
            e.DeviceMajor = major;
            e.DeviceMinor = minor;
            return e;
        });
        return this;
    }

    public LayerSpec Fifo(string path, int mode = 0b110_100_100)
    {
        _entries.Add(() => Entry(TarEntryType.Fifo, path, mode, 0, 0, null, null));
        return this;
    }

    /// <summary>".wh.NAME" beside path's last component: hides path in the layers below.</summary>
    public LayerSpec Whiteout(string path)
    {
        var slash = path.LastIndexOf('/');
        var whiteout = slash < 0 ? ".wh." + path : path[..(slash + 1)] + ".wh." + path[(slash + 1)..];
        return File(whiteout, "", mode: 0);
    }

    /// <summary>".wh..wh..opq" in dir: cuts the lower layers' children of dir.</summary>
    public LayerSpec Opaque(string dir) => File(dir.TrimEnd('/') + "/.wh..wh..opq", "", mode: 0);

    private static PaxTarEntry Entry(TarEntryType type, string path, int mode, int uid, int gid, DateTimeOffset? mtime, Dictionary<string, string>? xattrs)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var (name, value) in xattrs ?? [])
            attributes["SCHILY.xattr." + name] = value;
        var entry = new PaxTarEntry(type, type == TarEntryType.Directory ? path.TrimEnd('/') + "/" : path, attributes)
        {
            Mode = (UnixFileMode)mode,
            Uid = uid,
            Gid = gid,
            ModificationTime = mtime ?? DefaultTime,
            UserName = "",
            GroupName = "",
        };
        return entry;
    }

    public byte[] ToTar()
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var make in _entries)
                writer.WriteEntry(make());
        }
        return buffer.ToArray();
    }
}
