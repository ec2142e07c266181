using LayerFs.Fuse;
using LayerFs.TestSupport;

namespace LayerFs.Mount.Tests.Support;

/// <summary>
/// The published `layerfs` binary (Repo.Cli, from `make build`) against a private store, and a
/// mountpoint that is always unmounted at the end.
/// </summary>
public sealed class CliMount : IDisposable
{
    private readonly TempDir _dir = new("layerfs-cli-mount");

    public CliMount()
    {
        Mountpoint = _dir.Combine("mnt");
        Directory.CreateDirectory(Mountpoint);
    }

    public string Store => _dir.Combine("store");

    public string Mountpoint { get; }

    public string Combine(params string[] parts) => _dir.Combine(parts);

    public ProcessResult Run(params string[] args) => ProcessRunner.Run(Repo.Cli, ["--store", Store, .. args], TimeSpan.FromMinutes(2));

    /// <summary>The daemon serving our mountpoint, found by its command line.</summary>
    public static IEnumerable<int> DaemonsFor(string mountpoint)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            var args = cmdline.Split('\0');
            if (args.Contains("mount") && args.Contains(mountpoint))
                yield return pid;
        }
    }

    /// <summary>Waits until the condition holds (polling), or fails after the timeout.</summary>
    public static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
                return true;
            Thread.Sleep(50);
        }
        return condition();
    }

    public void Dispose()
    {
        if (FuseMounts.IsMounted(Mountpoint))
            FuseMounts.Unmount(Mountpoint, lazy: true);
        // A daemon that did not notice (it should have) is ended by PID, ours only.
        WaitFor(() => !DaemonsFor(Mountpoint).Any(), TimeSpan.FromSeconds(10));
        foreach (var pid in DaemonsFor(Mountpoint))
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
            }
            catch (ArgumentException)
            {
            }
        }
        _dir.Dispose();
    }
}
