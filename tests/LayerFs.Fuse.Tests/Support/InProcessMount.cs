using LayerFs.TestSupport;
using Xunit.Abstractions;

namespace LayerFs.Fuse.Tests.Support;

/// <summary>A filesystem served by this test process, on a fresh mountpoint under /tmp; unmounted on Dispose.</summary>
public sealed class InProcessMount : IDisposable
{
    private readonly TempDir dir = new("layerfs-fuse");

    public InProcessMount(FuseFileSystem fs, ITestOutputHelper output, Action<FuseMountOptions>? configure = null)
    {
        MountPoint = dir.Combine("mnt");
        Directory.CreateDirectory(MountPoint);
        Options = new FuseMountOptions { Threads = 2, FsName = "memtest", Subtype = "memtest", Logger = TestOutputSink.Logger(output) };
        configure?.Invoke(Options);
        try
        {
            Session = FuseSession.Mount(MountPoint, fs, Options);
            Session.Start();
        }
        catch
        {
            MountWait.Cleanup(MountPoint);
            dir.Dispose();
            throw;
        }
    }

    public string MountPoint { get; }

    public FuseMountOptions Options { get; }

    public FuseSession Session { get; }

    public string PathOf(string relative) => Path.Combine(MountPoint, relative);

    public void Dispose()
    {
        try
        {
            Session.Stop();
            Session.WaitForExit(TimeSpan.FromSeconds(10));
        }
        finally
        {
            MountWait.Cleanup(MountPoint);
            dir.Dispose();
        }
    }
}
