namespace LayerFs.DeviceMapper;

/// <summary>Whether this machine can host devicemapper views: root, a kernel with device-mapper, and the tools.</summary>
internal static class KernelSupport
{
    /// <summary>Why not, in one line; null if it can.</summary>
    public static string? Missing()
    {
        if (LayerFs.Store.Posix.GetEffectiveUserId() != 0)
            return "the devicemapper snapshotter needs root (it makes loop devices, device-mapper devices and mounts)";
        // /proc/misc, not /dev/mapper/control: a static /dev may hold the node on a kernel without the driver.
        if (!HasDeviceMapper() && !(Tool.Exists("modprobe") && Tool.Run("modprobe", ["-q", "dm_mod"]).Ok && HasDeviceMapper()))
            return "the devicemapper snapshotter needs device-mapper, and this kernel has none (not in /proc/misc or /proc/devices, and no dm_mod module to load); use --snapshotter userspace";
        foreach (var (tool, package) in new[] { ("dmsetup", "dmsetup"), ("losetup", "mount"), ("mkfs.ext4", "e2fsprogs"), ("blkdiscard", "util-linux") })
            if (!Tool.Exists(tool))
                return $"the devicemapper snapshotter needs {tool} (Debian package {package})";
        return null;
    }

    private static bool HasDeviceMapper() => Mentions("/proc/misc") || Mentions("/proc/devices");

    private static bool Mentions(string procFile)
    {
        try
        {
            return File.ReadLines(procFile).Any(line => line.Contains("device-mapper", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }
}
