using System.Globalization;
using LayerFs.Fuse;

namespace LayerFs.Mount.Daemon;

/// <summary>
/// The -o options of `layerfs mount` (and of mount(8) with -t fuse.layerfs):
/// allow_other, suid/nosuid, dev/nodev, exec/noexec, ro, default_permissions /
/// no_default_permissions, threads=N, no-passthrough (also "nopassthrough"), no-uring (also "nouring").
/// </summary>
public sealed class MountSettings
{
    public bool AllowOther { get; set; }
    public bool Suid { get; set; }
    public bool Dev { get; set; }
    public bool NoExec { get; set; }
    public bool ReadOnly { get; set; }
    public bool DefaultPermissions { get; set; } = true;
    public bool Passthrough { get; set; } = true;

    /// <summary>FUSE io_uring queues when the kernel offers them (fuse.enable_uring); "no-uring" keeps /dev/fuse.</summary>
    public bool IoUring { get; set; } = true;

    /// <summary>FUSE reader threads; null: one per CPU.</summary>
    public int? Threads { get; set; }

    /// <summary>Applies a list of comma-separated option strings; unknown options are an error (FormatException).</summary>
    public static MountSettings Parse(IEnumerable<string> optionLists)
    {
        var settings = new MountSettings();
        foreach (var list in optionLists)
            foreach (var option in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                settings.Apply(option);
        return settings;
    }

    private void Apply(string option)
    {
        var eq = option.IndexOf('=', StringComparison.Ordinal);
        var key = eq < 0 ? option : option[..eq];
        var value = eq < 0 ? null : option[(eq + 1)..];
        switch (key)
        {
            case "allow_other": AllowOther = true; break;
            case "suid": Suid = true; break;
            case "nosuid": Suid = false; break;
            case "dev": Dev = true; break;
            case "nodev": Dev = false; break;
            case "exec": NoExec = false; break;
            case "noexec": NoExec = true; break;
            case "ro": ReadOnly = true; break;
            case "rw": ReadOnly = false; break;
            case "default_permissions": DefaultPermissions = true; break;
            case "no_default_permissions": DefaultPermissions = false; break;
            case "no-passthrough" or "nopassthrough": Passthrough = false; break;
            case "passthrough": Passthrough = true; break;
            case "no-uring" or "nouring": IoUring = false; break;
            case "uring": IoUring = true; break;
            case "threads":
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var threads) || threads < 1 || threads > 256)
                    throw new FormatException($"threads={value}: expected a number of threads from 1 to 256");
                Threads = threads;
                break;
            default:
                throw new FormatException($"unknown mount option '{option}' (known: allow_other, suid, dev, exec, noexec, ro, default_permissions, threads=N, no-passthrough, no-uring)");
        }
    }

    /// <summary>Back to one -o string (what the background daemon is started with).</summary>
    public string ToOptionString()
    {
        var parts = new List<string>();
        if (AllowOther) parts.Add("allow_other");
        parts.Add(Suid ? "suid" : "nosuid");
        parts.Add(Dev ? "dev" : "nodev");
        if (NoExec) parts.Add("noexec");
        if (ReadOnly) parts.Add("ro");
        parts.Add(DefaultPermissions ? "default_permissions" : "no_default_permissions");
        if (!Passthrough) parts.Add("no-passthrough");
        if (!IoUring) parts.Add("no-uring");
        if (Threads is { } t) parts.Add(string.Create(CultureInfo.InvariantCulture, $"threads={t}"));
        return string.Join(',', parts);
    }

    public FuseMountOptions ToFuseOptions(string storeRoot)
    {
        var options = new FuseMountOptions
        {
            FsName = storeRoot,
            Subtype = "layerfs",
            AllowOther = AllowOther,
            Suid = Suid,
            Dev = Dev,
            NoExec = NoExec,
            ReadOnly = ReadOnly,
            DefaultPermissions = DefaultPermissions,
            Passthrough = Passthrough,
            IoUring = IoUring,
            // The objects live in the store: passthrough's stack depth follows the filesystem they are on.
            PassthroughBackingPath = storeRoot,
            // A listing answers READDIRPLUS from the same queries as READDIR, and the kernel keeps
            // what it gets: with READDIRPLUS_AUTO it would list plainly and send a LOOKUP for most
            // names of a find or ls -l walk instead.
            ReadDirPlus = FuseReadDirPlusMode.Always,
            // Views clear set-id bits and capabilities themselves (ViewFileNode.KillPrivileges), so
            // the kernel spares a GETATTR per chown and a GETXATTR per write.
            HandleKillPriv = true,
            // The kernel checks POSIX ACLs itself, as on a disk filesystem (with default_permissions
            // alone it reads the mode bits only), and keeps each inode's ACL: ls -l then costs one
            // GETXATTR per name instead of two. Views set ACLs on their upper files, whose
            // filesystem updates the mode to match.
            PosixAcl = true,
        };
        if (Threads is { } threads)
            options.Threads = threads;
        return options;
    }
}
