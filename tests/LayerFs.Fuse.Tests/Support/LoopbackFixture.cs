using LayerFs.TestSupport;

namespace LayerFs.Fuse.Tests.Support;

/// <summary>A source tree, a mountpoint and a running Loopback daemon over them, all under one temp directory.</summary>
public sealed class LoopbackFixture : IDisposable
{
    private readonly TempDir dir = new("layerfs-loopback");

    public LoopbackFixture(params string[] daemonOptions)
    {
        Source = dir.Combine("src");
        MountPoint = dir.Combine("mnt");
        Directory.CreateDirectory(MountPoint);
        SourceTree.Create(Source);
        try
        {
            Daemon = LoopbackDaemon.Start(Source, MountPoint, daemonOptions);
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    public string Source { get; }

    public string MountPoint { get; }

    public LoopbackDaemon Daemon { get; private set; }

    public string Scratch(string name)
    {
        var path = dir.Combine(name);
        Directory.CreateDirectory(path);
        return path;
    }

    public string InMount(string relative) => Path.Combine(MountPoint, relative);

    public string InSource(string relative) => Path.Combine(Source, relative);

    /// <summary>Starts a fresh daemon on the same source and mountpoint (after the previous one ended).</summary>
    public void Restart(params string[] daemonOptions)
    {
        Daemon.Dispose();
        Daemon = LoopbackDaemon.Start(Source, MountPoint, daemonOptions);
    }

    /// <summary>Starts a fresh daemon while the previous (killed) one's stale mount is still there.</summary>
    public void RestartOverStaleMount(params string[] daemonOptions)
    {
        Daemon.Abandon();
        Daemon = LoopbackDaemon.Start(Source, MountPoint, daemonOptions);
    }

    public void Dispose()
    {
        try
        {
            Daemon.Dispose();
        }
        finally
        {
            MountWait.Cleanup(MountPoint);
            dir.Dispose();
        }
    }
}
