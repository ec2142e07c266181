using LayerFs.Fuse;
using LayerFs.Mount.Tests.Support;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Mount.Tests;

/// <summary>
/// `layerfs mount` / `umount` as users run them (the published binary, as child processes):
/// background mode, foreground mode with signals, mount(8)'s helper entry point, /dev/fd/N.
/// </summary>
public sealed class CliMountTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public void Mount_returns_once_the_mount_is_ready_and_umount_ends_the_daemon()
    {
        using var cli = new CliMount();
        cli.Run("import", Repo.Corpus("busybox")).EnsureSuccess();
        // ProcessRunner waits for the command's stdout and stderr to close too: the daemon must not hold them.
        var mount = cli.Run("mount", cli.Mountpoint);
        Assert.True(mount.ExitCode == 0, mount.Stderr);
        Assert.Equal("", mount.Stderr);
        Assert.Equal(["busybox:latest"], Directory.GetDirectories(Path.Combine(cli.Mountpoint, "images")).Select(Path.GetFileName));
        Assert.Equal("fuse.layerfs", FuseMounts.MountedFileSystemType(cli.Mountpoint));
        var daemon = Assert.Single(CliMount.DaemonsFor(cli.Mountpoint));

        var again = cli.Run("mount", cli.Mountpoint);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already mounted", again.Stderr, StringComparison.Ordinal);

        cli.Run("umount", cli.Mountpoint).EnsureSuccess();
        Assert.False(FuseMounts.IsMounted(cli.Mountpoint));
        Assert.True(CliMount.WaitFor(() => !File.Exists($"/proc/{daemon}/cmdline") || !CliMount.DaemonsFor(cli.Mountpoint).Any(), Patience), "the daemon outlived the mount");
    }

    [Fact]
    public void A_stat_deep_in_a_rootfs_right_after_mount_loads_no_cryptography_library()
    {
        // Mount to first stat is a latency users feel (scripts mount and read at once). OpenSSL, which
        // .NET loads at the first SHA-256, costs some 15 ms on a cold cache: lookups and inode numbers
        // must not need it. Reading a JSON file does (its blob's digest is checked), and may load it.
        using var cli = new CliMount();
        cli.Run("import", Repo.Corpus("busybox")).EnsureSuccess();
        cli.Run("mount", cli.Mountpoint).EnsureSuccess();
        var rootfs = Path.Combine(cli.Mountpoint, "images", "busybox:latest", "rootfs");
        Assert.True(File.Exists(Path.Combine(rootfs, "bin", "busybox")));
        Assert.NotEmpty(Directory.GetFileSystemEntries(Path.Combine(cli.Mountpoint, "layers")));
        var daemon = Assert.Single(CliMount.DaemonsFor(cli.Mountpoint));
        var libraries = File.ReadLines($"/proc/{daemon}/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 5 && f[5].Contains(".so", StringComparison.Ordinal)).Select(f => Path.GetFileName(f[5])).Distinct().ToList();
        Assert.Contains("libe_sqlite3.so", libraries);
        Assert.DoesNotContain(libraries, l => l.StartsWith("libcrypto", StringComparison.Ordinal) || l.StartsWith("libssl", StringComparison.Ordinal));
    }

    [Fact]
    public void A_mount_left_by_a_killed_daemon_is_replaced_by_the_next_mount()
    {
        using var cli = new CliMount();
        cli.Run("import", Repo.Corpus("busybox")).EnsureSuccess();
        cli.Run("mount", cli.Mountpoint).EnsureSuccess();
        var daemon = Assert.Single(CliMount.DaemonsFor(cli.Mountpoint));
        System.Diagnostics.Process.GetProcessById(daemon).Kill();
        Assert.True(CliMount.WaitFor(() => FuseMounts.IsStale(cli.Mountpoint), Patience), "the mount did not go stale");

        var again = cli.Run("mount", cli.Mountpoint);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.True(File.Exists(Path.Combine(cli.Mountpoint, "images", "busybox:latest", "json")));
        cli.Run("umount", cli.Mountpoint).EnsureSuccess();
    }

    [Fact]
    public void A_mount_that_cannot_start_reports_the_daemons_error_in_one_line()
    {
        using var cli = new CliMount();
        var noStore = ProcessRunner.Run(Repo.Cli, ["--store", cli.Combine("nothing-here"), "mount", cli.Mountpoint], Patience);
        Assert.Equal(1, noStore.ExitCode);
        Assert.Contains("not a layerfs store", noStore.Stderr, StringComparison.Ordinal);
        Assert.Single(noStore.Stderr.Trim().Split('\n'));

        cli.Run("import", Repo.Corpus("busybox")).EnsureSuccess();
        var badOption = cli.Run("mount", cli.Mountpoint, "-o", "bogus");
        Assert.Equal(2, badOption.ExitCode);
        Assert.Contains("unknown mount option 'bogus'", badOption.Stderr, StringComparison.Ordinal);
        Assert.False(FuseMounts.IsMounted(cli.Mountpoint));
    }

    [Fact]
    public void In_the_foreground_sigterm_unmounts_and_exits()
    {
        using var cli = new CliMount();
        cli.Run("import", Repo.Corpus("busybox")).EnsureSuccess();
        var start = new System.Diagnostics.ProcessStartInfo(Repo.Cli) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--store", cli.Store, "mount", cli.Mountpoint, "-f", "-o", "threads=3" })
            start.ArgumentList.Add(arg);
        using var daemon = System.Diagnostics.Process.Start(start)!;
        try
        {
            Assert.True(CliMount.WaitFor(() => FuseMounts.IsMounted(cli.Mountpoint), Patience));
            Assert.True(File.Exists(Path.Combine(cli.Mountpoint, "images", "busybox:latest", "rootfs", "bin", "busybox")));
            ProcessRunner.Run("kill", ["-TERM", daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).EnsureSuccess();
            Assert.True(daemon.WaitForExit(Patience), "the daemon did not exit on SIGTERM");
            Assert.Equal(0, daemon.ExitCode);
            Assert.False(FuseMounts.IsMounted(cli.Mountpoint));
            Assert.Contains("serving", daemon.StandardError.ReadToEnd(), StringComparison.Ordinal);
        }
        finally
        {
            if (!daemon.HasExited)
                daemon.Kill();
        }
    }

    [Fact]
    public void Mount_8_helper_name_takes_store_and_mountpoint_and_drops_mount_8_options()
    {
        using var cli = new CliMount();
        cli.Run("import", Repo.Corpus("busybox")).EnsureSuccess();
        var helper = cli.Combine("mount.fuse.layerfs");
        File.CreateSymbolicLink(helper, Repo.Cli);
        // What mount(8) runs for an fstab line "STORE MNT fuse.layerfs defaults,allow_other,nodev,noauto,x-systemd.automount 0 0":
        // it keeps suid and dev to itself (they are its defaults) and passes their negations.
        var result = ProcessRunner.Run(helper, [cli.Store, cli.Mountpoint, "-n", "-o", "rw,allow_other,nodev,noauto,_netdev,x-systemd.automount"], Patience);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var options = File.ReadAllLines("/proc/self/mountinfo").Single(l => l.Split(' ')[4] == cli.Mountpoint);
        Assert.Contains("allow_other", options, StringComparison.Ordinal);
        Assert.Contains("nodev", options, StringComparison.Ordinal);
        Assert.DoesNotContain("nosuid", options, StringComparison.Ordinal);
        Assert.Contains($" {cli.Store} ", options, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(cli.Mountpoint, "images", "busybox:latest", "json")));
        // Plain umount(8) unmounts, and the daemon goes with it.
        ProcessRunner.Run("umount", [cli.Mountpoint], Patience).EnsureSuccess();
        Assert.True(CliMount.WaitFor(() => !CliMount.DaemonsFor(cli.Mountpoint).Any(), Patience));
    }

    [Fact]
    public void A_dev_fd_mountpoint_serves_the_fuse_fd_that_a_supervisor_mounted()
    {
        using var cli = new CliMount();
        cli.Run("import", Repo.Corpus("busybox")).EnsureSuccess();
        var script = Path.Combine(AppContext.BaseDirectory, "Tools", "devfd_mount.py");
        var result = ProcessRunner.Run("python3", [script, cli.Mountpoint, Repo.Cli, "--store", cli.Store, "mount", "/dev/fd/{fd}"], Patience);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(File.Exists(Path.Combine(cli.Mountpoint, "images", "busybox:latest", "rootfs", "bin", "busybox")));
        ProcessRunner.Run("umount", [cli.Mountpoint], Patience).EnsureSuccess();
    }
}
