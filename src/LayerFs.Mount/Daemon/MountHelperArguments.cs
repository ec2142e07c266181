namespace LayerFs.Mount.Daemon;

/// <summary>
/// mount(8) runs "/sbin/mount.fuse.layerfs STORE MNT [-sfnv] [-o OPTIONS]" for
/// `mount -t fuse.layerfs STORE MNT` and for fstab lines of type fuse.layerfs. This turns that
/// into "--store STORE mount MNT -o OPTIONS", without the options that are mount(8)'s own.
/// mount(8) never passes "suid", "dev" or "exec" (they are the kernel's defaults; it passes
/// only their negations), so through it a mount starts from suid,dev, as every filesystem that
/// mount(8) mounts does, and nosuid/nodev/noexec from the command line or fstab turn them off.
/// The name is taken from the real argv[0] (/proc/self/cmdline): the .NET apphost resolves the
/// symlink, so the process path would only say "layerfs".
/// </summary>
public static class MountHelperArguments
{
    public const string HelperName = "mount.fuse.layerfs";

    /// <summary>Options that belong to mount(8), fstab or systemd, never to the filesystem.</summary>
    private static readonly HashSet<string> MountOwnOptions = new(StringComparer.Ordinal)
    {
        "rw", "defaults", "auto", "noauto", "user", "nouser", "users", "owner", "group", "nofail", "_netdev",
        "async", "sync", "atime", "noatime", "relatime", "norelatime", "strictatime", "nostrictatime",
        "diratime", "nodiratime", "lazytime", "nolazytime", "iversion", "noiversion", "mand", "nomand",
        "loud", "silent", "bind", "rbind", "remount", "private", "shared", "slave",
    };

    /// <summary>Whether this process was started under the helper's name.</summary>
    public static bool StartedAsHelper()
    {
        try
        {
            var cmdline = File.ReadAllBytes("/proc/self/cmdline");
            var end = Array.IndexOf(cmdline, (byte)0);
            var argv0 = System.Text.Encoding.UTF8.GetString(cmdline, 0, end < 0 ? cmdline.Length : end);
            return Path.GetFileName(argv0) == HelperName;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The helper's arguments as a `layerfs` command line.</summary>
    public static string[] Translate(IReadOnlyList<string> args)
    {
        var positional = new List<string>();
        var options = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "-o" && i + 1 < args.Count)
                options.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries));
            else if (arg.StartsWith("-o", StringComparison.Ordinal) && arg.Length > 2)
                options.AddRange(arg[2..].Split(',', StringSplitOptions.RemoveEmptyEntries));
            else if (arg is "-t" or "-N" && i + 1 < args.Count)
                i++; // the type (fuse.layerfs), a namespace: nothing for the filesystem
            else if (arg.StartsWith('-') && arg.Length > 1)
                continue; // -s (sloppy), -f (fake), -n (no mtab), -v (verbose)
            else
                positional.Add(arg);
        }
        if (positional.Count != 2)
            return ["mount", "--help"];
        var kept = options.Where(o => !IsMountOwn(o));
        return ["--store", positional[0], "mount", positional[1], "-o", string.Join(',', ["suid", "dev", .. kept])];
    }

    private static bool IsMountOwn(string option)
    {
        var key = option.Split('=')[0];
        return MountOwnOptions.Contains(key)
            || key.StartsWith("x-", StringComparison.Ordinal)
            || key is "comment" or "context" or "fscontext" or "defcontext" or "rootcontext" or "uhelper" or "helper";
    }
}
