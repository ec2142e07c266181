using LayerFs.Fuse;
using LayerFs.Mount.Daemon;
using LayerFs.TestSupport;

namespace LayerFs.Mount.Tests.Support;

/// <summary>
/// A store mounted in the test process, at a fresh directory under /tmp, served on the binding's
/// own reader threads. Tests do their file I/O from the test thread or child processes, never
/// from a FUSE thread. A watchdog stops the session (unmount, abort) if the test overruns, so a
/// hang fails the test instead of blocking the run; Dispose always unmounts.
/// </summary>
public sealed class InProcessMount : IDisposable
{
    private readonly TempDir _dir = new("layerfs-mnt");
    private readonly Timer _watchdog;

    public InProcessMount(string storeRoot, MountSettings? settings = null, TimeSpan? timeout = null)
    {
        Path = _dir.Combine("mnt");
        Directory.CreateDirectory(Path);
        Mount = StoreMount.Start(storeRoot, Path, settings ?? new MountSettings());
        _watchdog = new Timer(_ =>
        {
            TimedOut = true;
            Mount.Stop();
        }, null, timeout ?? TimeSpan.FromMinutes(5), Timeout.InfiniteTimeSpan);
    }

    public string Path { get; }

    public StoreMount Mount { get; }

    /// <summary>Set when the watchdog had to stop the mount.</summary>
    public bool TimedOut { get; private set; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        _watchdog.Dispose();
        Mount.Stop();
        if (!Mount.WaitForExit(TimeSpan.FromSeconds(10)))
            FuseMounts.Unmount(Path, lazy: true);
        Mount.Dispose();
        if (FuseMounts.IsMounted(Path))
            FuseMounts.Unmount(Path, lazy: true);
        _dir.Dispose();
    }
}
