using Serilog;

namespace LayerFs.DeviceMapper;

/// <summary>
/// Device-mapper through the dmsetup tool, as containerd's devmapper snapshotter does, rather than
/// DM ioctls on /dev/mapper/control. The ioctl interface is a versioned variable-length struct
/// (dm_ioctl with trailing target specs and name lists) that libdevmapper has carried and
/// fixed for twenty years; re-implementing it buys nothing measurable here (a view costs a handful
/// of calls) and would be one more ABI to get wrong. Nodes: there may be no udev (containers, the
/// test guest), so every call runs with DM_DISABLE_UDEV=1 and --noudevsync, which makes libdevmapper
/// create and remove /dev/mapper/NAME itself, and <see cref="Create"/> also runs `dmsetup mknodes`.
/// Thin tables name the pool by major:minor, so they never depend on a node.
/// </summary>
internal static class Dmsetup
{
    private const string Program = "dmsetup";
    private static readonly Dictionary<string, string> NoUdev = new() { ["DM_DISABLE_UDEV"] = "1" };

    private static Tool.Result Run(params string[] arguments) => Tool.Run(Program, ["--noudevsync", .. arguments], NoUdev);

    private static string Check(string what, params string[] arguments) => Tool.Check(what, Program, ["--noudevsync", .. arguments], NoUdev);

    public static string NodePath(string name) => "/dev/mapper/" + name;

    /// <summary>Names of the active devices starting with <paramref name="prefix"/> (one call for all).</summary>
    public static HashSet<string> ActiveNames(string prefix)
    {
        var result = Run("ls");
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (!result.Ok)
            throw new DeviceMapperException($"listing devices: dmsetup: {result.FirstErrorLine}");
        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split('\t', ' ')[0];
            if (name.StartsWith(prefix, StringComparison.Ordinal))
                names.Add(name);
        }
        return names;
    }

    public static void Create(string name, string table)
    {
        Check($"activating {name}", "create", name, "--table", table);
        Run("mknodes", name);
    }

    /// <summary>"MAJOR:MINOR" of an active device.</summary>
    public static string DeviceNumber(string name) =>
        Check($"looking up {name}", "info", "-c", "--noheadings", "-o", "major,minor", "--separator", ":", name).Trim();

    /// <summary>`dmsetup status` of an active device, or null if it is not active.</summary>
    public static string? Status(string name)
    {
        var result = Run("status", name);
        return result.Ok ? result.Output.Trim() : null;
    }

    public static Tool.Result Message(string pool, string message) => Run("message", pool, "0", message);

    public static void Suspend(string name) => Check($"suspending {name}", "suspend", name);

    public static void Resume(string name) => Check($"resuming {name}", "resume", name);

    public enum Removal
    {
        Removed,
        Deferred,
    }

    /// <summary>
    /// Deactivates NAME. A device still open (a lazily unmounted filesystem, a process holding the
    /// node) is retried for a while, then removed with --deferred: the kernel removes it when its
    /// last user closes it, and the caller finishes the deletion later.
    /// </summary>
    public static Removal Remove(string name, int attempts = 20)
    {
        for (var attempt = 1; ; attempt++)
        {
            var result = Run("remove", name);
            if (result.Ok || Status(name) is null)
            {
                Run("mknodes", name); // removes a stale node, if libdevmapper left one
                return Removal.Removed;
            }
            if (!result.Error.Contains("busy", StringComparison.OrdinalIgnoreCase) || attempt >= attempts)
                break;
            Thread.Sleep(100);
        }
        Log.Warning("{Device} is busy: removing it when its last user closes it", name);
        Check($"removing {name}", "remove", "--deferred", name);
        return Removal.Deferred;
    }
}
