using System.Security.Cryptography;
using LayerFs.TestSupport;

namespace LayerFs.Fuse.Tests.Support;

/// <summary>A varied source tree for the loopback: every kind of file, odd names, hard links, xattrs, a big directory.</summary>
public static class SourceTree
{
    public static void Create(string root)
    {
        Directory.CreateDirectory(root);
        var rng = new Random(42);
        void Write(string rel, int size)
        {
            var path = Path.Combine(root, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var data = new byte[size];
            rng.NextBytes(data);
            File.WriteAllBytes(path, data);
        }
        Write("empty", 0);
        Write("small.txt", 13);
        Write("page-4096", 4096);
        Write("odd-size", 1_000_003);
        Write("big/eight-mib", 8 * 1024 * 1024);
        Write("deep/a/b/c/d/e/f/leaf", 100);
        Write("with space and ünïcödé – name", 77);
        Write("links/original", 5000);
        for (var i = 0; i < 300; i++)
            Write($"many/entry-{i:D3}-{new string('n', i % 40)}", i);
        Shell.Ok($"""
            cd {Shell.Quote(root)}
            ln links/original links/hardlink
            ln links/original deep/hardlink-elsewhere
            ln -s original links/relative-symlink
            ln -s /etc/hostname links/absolute-symlink
            ln -s does-not-exist links/dangling-symlink
            ln -s ../deep links/dir-symlink
            mkfifo fifo
            mkdir empty-dir
            chmod 0600 small.txt
            chmod 0751 deep
            chmod 4755 page-4096
            chmod 1777 empty-dir
            chown 1234:5678 odd-size
            touch -h -d '2001-02-03 04:05:06.123456789' links/relative-symlink
            touch -d '1999-12-31 23:59:59.5' big/eight-mib
            setfattr -n user.comment -v 'hello world' small.txt
            setfattr -n user.binary -v 0x00ff10 small.txt
            setfattr -n user.on-dir -v yes deep
            setfattr -n trusted.overlay.opaque -v y empty-dir
            """);
    }

    /// <summary>find -printf of everything but atime, sorted: types, modes, links, owners, sizes, mtimes, ctimes, inode numbers, targets.</summary>
    public static string Describe(string root, bool withInodes = true, bool withCtime = true) =>
        Shell.Ok($"cd {Shell.Quote(root)} && find . -printf '%p %y %m %n %U %G %s %T@{(withCtime ? " %C@" : "")}{(withInodes ? " %i" : "")} %l\\n' | LC_ALL=C sort");

    /// <summary>Every xattr of every file and directory (not following symlinks).</summary>
    public static string Xattrs(string root) =>
        Shell.Ok($"cd {Shell.Quote(root)} && getfattr -R -h -d -m - -e hex . 2>/dev/null | grep -v '^$' || true");

    public static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }
}
