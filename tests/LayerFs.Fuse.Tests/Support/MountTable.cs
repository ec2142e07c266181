namespace LayerFs.Fuse.Tests.Support;

/// <summary>Mount checks that read /proc/self/mountinfo and never touch the mount itself.</summary>
public static class MountWait
{
    public static bool IsMounted(string path) => FuseMounts.IsMounted(path);

    public static void UntilMounted(string path, TimeSpan timeout, Func<bool>? stillTrying = null)
    {
        var until = DateTime.UtcNow + timeout;
        while (!IsMounted(path))
        {
            if (DateTime.UtcNow > until || (stillTrying is not null && !stillTrying()))
                throw new TimeoutException($"{path} was not mounted");
            Thread.Sleep(20);
        }
    }

    public static bool UntilUnmounted(string path, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (IsMounted(path))
        {
            if (DateTime.UtcNow > until)
                return false;
            Thread.Sleep(20);
        }
        return true;
    }

    /// <summary>Last resort in a finally: a lazy unmount that cannot block.</summary>
    public static void Cleanup(string path)
    {
        if (!IsMounted(path))
            return;
        try
        {
            FuseMounts.Unmount(path, lazy: true);
        }
        catch (IOException)
        {
        }
    }
}
