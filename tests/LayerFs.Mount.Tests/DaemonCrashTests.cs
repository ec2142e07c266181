using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using LayerFs.Fuse;
using LayerFs.Mount.Tests.Support;
using LayerFs.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace LayerFs.Mount.Tests;

/// <summary>
/// The mount daemon SIGKILLed while programs read through it: every read gave the right bytes or
/// failed (never wrong bytes), `layerfs umount` or a plain `layerfs mount` recovers the
/// mountpoint, the store verifies, and the leases the dead daemon held keep nothing from prune.
/// </summary>
public sealed class DaemonCrashTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly ITestOutputHelper _output;

    public DaemonCrashTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_daemon_killed_during_reads_is_recovered_by_umount_or_remount(bool recoverByUmount)
    {
        using var cli = new CliMount();
        cli.Run("import", Repo.Corpus("busybox")).EnsureSuccess();
        cli.Run("import", Repo.Corpus("edge")).EnsureSuccess();
        cli.Run("mount", cli.Mountpoint).EnsureSuccess();
        var busybox = Path.Combine(cli.Mountpoint, "images", "busybox:latest");
        var busyboxTop = Path.GetFileName(new DirectoryInfo(Path.Combine(busybox, "layers", "0")).LinkTarget)!;
        var files = new[]
        {
            Path.Combine(busybox, "rootfs", "bin", "busybox"),
            Path.Combine(busybox, "rootfs", "etc", "passwd"),
            Path.Combine(cli.Mountpoint, "layers", busyboxTop, "layer.tar"),
        };
        var expected = files.ToDictionary(f => f, f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))));
        var daemon = Assert.Single(CliMount.DaemonsFor(cli.Mountpoint));

        // A file held open while its image is removed: the daemon now holds leases on edge's chains.
        var held = new FileStream(Path.Combine(cli.Mountpoint, "images", "edge:latest", "rootfs", "files", "zero-64M.bin"), FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        cli.Run("rmi", "edge:latest").EnsureSuccess();
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(cli.Store, "leases")));

        var stop = new CancellationTokenSource();
        long verified = 0, failed = 0;
        var wrong = new List<string>();
        var readers = Enumerable.Range(0, 3).Select(r => new Thread(() =>
        {
            var file = files[r];
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
                    if (hash != expected[file])
                        lock (wrong)
                            wrong.Add(file);
                    Interlocked.Increment(ref verified);
                }
                // The daemon is gone: ENOTCONN/ECONNABORTED (IOException), or, for a request the kernel had
                // already handed to a dead daemon's io_uring queue, ECANCELED (which .NET raises as
                // OperationCanceledException).
                catch (Exception e) when (e is OperationCanceledException || (e is IOException and not FileNotFoundException and not DirectoryNotFoundException))
                {
                    Interlocked.Increment(ref failed);
                    return;
                }
            }
        }) { IsBackground = true }).ToList();
        readers.ForEach(t => t.Start());
        try
        {
            Assert.True(CliMount.WaitFor(() => Interlocked.Read(ref verified) >= 10, Patience), "the readers did not get going");
            Process.GetProcessById(daemon).Kill(); // SIGKILL, mid-read
            Assert.True(CliMount.WaitFor(() => !File.Exists($"/proc/{daemon}/status"), Patience), "the daemon outlived SIGKILL");
            Assert.True(CliMount.WaitFor(() => readers.All(t => !t.IsAlive), Patience), "a reader hung on the dead mount");
        }
        finally
        {
            stop.Cancel();
            held.Dispose();
        }
        Assert.Empty(wrong);
        _output.WriteLine($"{verified} reads verified before the kill, {failed} readers stopped by it");
        Assert.True(FuseMounts.IsStale(cli.Mountpoint), "the killed daemon's mount is not stale");

        if (recoverByUmount)
        {
            cli.Run("umount", cli.Mountpoint).EnsureSuccess();
            Assert.False(FuseMounts.IsMounted(cli.Mountpoint));
            Assert.Empty(Directory.GetFileSystemEntries(cli.Mountpoint)); // not "Transport endpoint is not connected"
        }
        else
        {
            cli.Run("mount", cli.Mountpoint).EnsureSuccess();
            Assert.Equal(expected[files[0]], Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(files[0]))));
            cli.Run("umount", cli.Mountpoint).EnsureSuccess();
        }

        Assert.Contains("ok:", cli.Run("verify").EnsureSuccess().Stdout, StringComparison.Ordinal);
        // The dead daemon's leases hold nothing: prune frees edge's layers and removes them.
        using var pruned = JsonDocument.Parse(cli.Run("prune", "--format", "json").EnsureSuccess().Stdout);
        Assert.Equal(0, pruned.RootElement.GetProperty("leases").GetInt32());
        Assert.NotEmpty(pruned.RootElement.GetProperty("chains").EnumerateArray());
        Assert.Empty(Directory.GetFiles(Path.Combine(cli.Store, "leases")));
        using var again = JsonDocument.Parse(cli.Run("prune", "--dry-run", "--format", "json").EnsureSuccess().Stdout);
        Assert.Equal(0, again.RootElement.GetProperty("objects").GetInt32());
        Assert.Empty(again.RootElement.GetProperty("chains").EnumerateArray());
    }
}
