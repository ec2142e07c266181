namespace LayerFs.DeviceMapper;

/// <summary>Loop devices over the pool's files, by losetup (the kernel makes /dev/loopN itself: no udev needed).</summary>
internal static class LoopDevice
{
    /// <summary>The loop device already backed by <paramref name="file"/>, or a new one.</summary>
    public static string Attach(string file)
    {
        var existing = Tool.Check($"looking for a loop device on {file}", "losetup", ["-n", "-O", "NAME", "-j", file]).Trim();
        if (existing.Length > 0)
            return existing.Split('\n')[0].Trim();
        return Tool.Check($"attaching {file} to a loop device", "losetup", ["-f", "--show", file]).Trim();
    }

    /// <summary>
    /// Detaches a device the pool holds open: the kernel then only marks it autoclear, and it goes
    /// away by itself when the pool is removed, so no loop device outlives its pool.
    /// </summary>
    public static void DetachWhenUnused(string device) => Tool.Run("losetup", ["-d", device]);
}
