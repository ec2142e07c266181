using System.Globalization;
using LayerFs.TestSupport;

namespace LayerFs.Tar.Tests;

/// <summary>What a test tree holds beyond the base set, so each archiver gets only what its format can store.</summary>
[Flags]
public enum TreeFeatures
{
    None = 0,
    Special = 1,      // fifo, char and block device
    LongPath = 2,     // a path of more than 256 bytes
    LongLink = 4,     // a symlink target of 200 bytes
    PrefixPath = 8,   // a 159-byte path that ustar splits into prefix and name
    BigId = 16,       // uid 3000000, gid 3000001 (beyond ustar's 2097151)
    NegativeTime = 32,// an mtime in 1960
    Xattr = 64,       // user.* extended attributes, one empty, one binary
}

/// <summary>One file system object of the tree as find(1) reports it: the oracle archives are checked against.</summary>
internal sealed record SourceObject(string Path, char Type, uint Mode, long Uid, long Gid, long Size, long MTimeSeconds, int MTimeNanoseconds, string LinkTarget);

/// <summary>
/// Builds a directory tree with every kind of entry a layer holds (as root: devices, ownership)
/// and lists it with find(1), independently of the code under test.
/// </summary>
internal static class SourceTree
{
    public static readonly (int Major, int Minor) CharDevice = (1, 3);
    public static readonly (int Major, int Minor) BlockDevice = (7, 200);

    public static readonly (string Name, byte[] Value)[] Xattrs =
    [
        ("user.test", "value"u8.ToArray()),
        ("user.empty", []),
        ("user.bin", [0x00, 0xff, 0x01]),
    ];

    public static void Create(string root, TreeFeatures features)
    {
        var script = """
            set -e
            umask 022
            mkdir -p dir sticky
            echo hello > dir/file.txt
            : > dir/empty
            head -c 512 /dev/urandom > dir/b512
            head -c 513 /dev/urandom > dir/b513
            head -c 70000 /dev/urandom > dir/big
            printf '#!/bin/sh\n' > dir/exec; chmod 755 dir/exec
            echo s > setuid; chmod 4755 setuid
            chmod 1777 sticky
            ln -s dir/file.txt link
            echo h > hard1; ln hard1 hard2
            echo u > 'unicodé-ñame.txt'
            echo x > "dir/$(printf 'n%.0s' $(seq 93))"
            echo n > nano; touch -d '2023-01-01 00:00:00.123456789 UTC' nano
            """;
        if (features.HasFlag(TreeFeatures.Special))
            script += $"\nmkfifo fifo; mknod chardev c {CharDevice.Major} {CharDevice.Minor}; mknod blockdev b {BlockDevice.Major} {BlockDevice.Minor}";
        if (features.HasFlag(TreeFeatures.LongPath))
            script += "\nL=$(printf 'd%.0s' $(seq 60)); mkdir -p $L/$L/$L; echo deep > $L/$L/$L/$(printf 'f%.0s' $(seq 150))";
        if (features.HasFlag(TreeFeatures.LongLink))
            script += "\nln -s $(printf 't%.0s' $(seq 200)) longlink";
        if (features.HasFlag(TreeFeatures.PrefixPath))
            script += "\nP=$(printf 'p%.0s' $(seq 50)); mkdir -p $P/$P/$P; echo p > $P/$P/$P/file";
        if (features.HasFlag(TreeFeatures.BigId))
            script += "\necho b > bigid; chown 3000000:3000001 bigid";
        if (features.HasFlag(TreeFeatures.NegativeTime))
            script += "\necho neg > neg; touch -d '1960-01-01 00:00:00 UTC' neg";
        if (features.HasFlag(TreeFeatures.Xattr))
            script += "\necho x > xattr; setfattr -n user.test -v value xattr; setfattr -n user.empty xattr; setfattr -n user.bin -v 0x00ff01 xattr";
        ProcessRunner.Shell(script, cwd: root).EnsureSuccess();
    }

    /// <summary>Every object under <paramref name="root"/> (not the root itself), keyed by relative path.</summary>
    public static Dictionary<string, SourceObject> List(string root)
    {
        var output = ProcessRunner.Run("find", [".", "-mindepth", "1", "-printf", @"%P\t%y\t%m\t%U\t%G\t%s\t%T@\t%l\n"], cwd: root).EnsureSuccess().Stdout;
        var objects = new Dictionary<string, SourceObject>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            var (seconds, nanoseconds) = ParseFindTime(f[6]);
            objects[f[0]] = new SourceObject(f[0], f[1][0], Convert.ToUInt32(f[2], 8), long.Parse(f[3], CultureInfo.InvariantCulture),
                long.Parse(f[4], CultureInfo.InvariantCulture), long.Parse(f[5], CultureInfo.InvariantCulture), seconds, nanoseconds, f[7]);
        }
        return objects;
    }

    /// <summary>
    /// find's %T@ is "SECONDS.NANOSECONDS" with SECONDS rounded down, not a signed decimal:
    /// half a second before −1000000000 prints as "-1000000001.5000000000".
    /// </summary>
    private static (long Seconds, int Nanoseconds) ParseFindTime(string text)
    {
        var parts = text.Split('.');
        var fraction = parts.Length > 1 ? parts[1].PadRight(9, '0')[..9] : "0";
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(fraction, CultureInfo.InvariantCulture));
    }
}
