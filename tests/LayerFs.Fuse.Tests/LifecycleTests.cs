using System.Text;
using LayerFs.Fuse.Tests.Interop;
using LayerFs.Fuse.Tests.Support;
using LayerFs.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace LayerFs.Fuse.Tests;

/// <summary>
/// How a Loopback daemon starts and ends: unmount with files open, SIGTERM/SIGINT, SIGKILL and the
/// stale mount it leaves, unprivileged mounting through fusermount3, /dev/fd/N from mount.fuse3, and
/// passthrough over a store on overlayfs.
/// </summary>
public sealed class LifecycleTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(15);
    private readonly ITestOutputHelper output;

    public LifecycleTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public void Lazy_unmount_with_a_file_open_keeps_serving_it_and_the_daemon_exits_when_it_closes()
    {
        using var fx = new LoopbackFixture();
        var expected = File.ReadAllBytes(fx.InSource("big/eight-mib"));
        var stream = Deadline.Run(() => new FileStream(fx.InMount("big/eight-mib"), FileMode.Open, FileAccess.Read, FileShare.Read, 1));
        try
        {
            FuseMounts.Unmount(fx.MountPoint, lazy: true);
            Assert.False(MountWait.IsMounted(fx.MountPoint));
            Assert.False(fx.Daemon.WaitForExit(TimeSpan.FromMilliseconds(500)), "the daemon quit while a file was still open");
            var buffer = new byte[100_000];
            stream.Position = 7_000_000;
            Deadline.Run(() => stream.ReadExactly(buffer));
            Assert.True(buffer.AsSpan().SequenceEqual(expected.AsSpan(7_000_000, buffer.Length)));
        }
        finally
        {
            stream.Dispose();
        }
        Assert.True(fx.Daemon.WaitForExit(ExitTimeout), "the daemon did not exit after the last file closed");
        Assert.Equal(0, fx.Daemon.ExitCode);
        Assert.Contains("unmounted", fx.Daemon.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void Sigterm_with_a_file_open_unmounts_and_exits_promptly()
    {
        using var fx = new LoopbackFixture("--no-passthrough");
        var stream = Deadline.Run(() => new FileStream(fx.InMount("big/eight-mib"), FileMode.Open, FileAccess.Read, FileShare.Read, 1));
        try
        {
            Assert.Equal(File.ReadAllBytes(fx.InSource("big/eight-mib"))[0], (byte)Deadline.Run(() => stream.ReadByte()));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            fx.Daemon.Signal(Libc.SIGTERM);
            Assert.True(fx.Daemon.WaitForExit(ExitTimeout), "SIGTERM did not end the daemon:\n" + fx.Daemon.Log);
            output.WriteLine($"exit after {clock.ElapsedMilliseconds} ms");
            Assert.Equal(0, fx.Daemon.ExitCode);
            Assert.False(MountWait.IsMounted(fx.MountPoint));
            // Aborting the connection borrowed a private fusectl mount; it must be gone with the daemon.
            Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), l => l.Contains("layerfs-fusectl-", StringComparison.Ordinal));
            stream.Position = 8_000_000;
            Assert.ThrowsAny<IOException>(() => Deadline.Run(() => stream.ReadByte()));
        }
        finally
        {
            stream.Dispose();
        }
    }

    [Fact]
    public void Sigint_unmounts_and_exits_cleanly()
    {
        using var fx = new LoopbackFixture();
        Assert.Equal(SourceTree.Sha256(fx.InSource("odd-size")), SourceTree.Sha256(fx.InMount("odd-size")));
        fx.Daemon.Signal(Libc.SIGINT);
        Assert.True(fx.Daemon.WaitForExit(ExitTimeout), "SIGINT did not end the daemon:\n" + fx.Daemon.Log);
        Assert.Equal(0, fx.Daemon.ExitCode);
        Assert.False(MountWait.IsMounted(fx.MountPoint));
        Assert.False(FuseMounts.IsStale(fx.MountPoint));
    }

    [Fact]
    public void A_daemon_killed_with_sigkill_leaves_a_stale_mount_that_is_detected_cleaned_and_remounted()
    {
        using var fx = new LoopbackFixture();
        Assert.Equal(SourceTree.Sha256(fx.InSource("odd-size")), SourceTree.Sha256(fx.InMount("odd-size")));
        Assert.False(FuseMounts.IsStale(fx.MountPoint));

        fx.Daemon.Signal(Libc.SIGKILL);
        Assert.True(fx.Daemon.WaitForExit(ExitTimeout));
        Assert.True(MountWait.IsMounted(fx.MountPoint));
        Assert.True(FuseMounts.IsStale(fx.MountPoint));
        var ls = Shell.Run($"ls {Shell.Quote(fx.MountPoint)}");
        Assert.Contains("Transport endpoint is not connected", ls.Stderr, StringComparison.Ordinal);

        FuseMounts.Unmount(fx.MountPoint, lazy: false);
        Assert.False(MountWait.IsMounted(fx.MountPoint));
        Assert.False(FuseMounts.IsStale(fx.MountPoint));

        fx.Restart();
        Assert.Equal(SourceTree.Sha256(fx.InSource("odd-size")), SourceTree.Sha256(fx.InMount("odd-size")));

        // The daemon itself also cleans up after a predecessor that died.
        fx.Daemon.Signal(Libc.SIGKILL);
        Assert.True(fx.Daemon.WaitForExit(ExitTimeout));
        Assert.True(FuseMounts.IsStale(fx.MountPoint));
        fx.RestartOverStaleMount();
        Assert.Contains("left mounted by a daemon that died", fx.Daemon.Log, StringComparison.Ordinal);
        Assert.Equal(SourceTree.Describe(fx.Source), SourceTree.Describe(fx.MountPoint));
        Assert.Single(File.ReadLines("/proc/self/mountinfo"), l => l.Contains(" " + fx.MountPoint + " ", StringComparison.Ordinal));
    }

    /// <summary>
    /// A user without privileges: mount(2) is refused, so the binding goes through fusermount3
    /// (_FUSE_COMMFD + SCM_RIGHTS), passthrough is not asked for, only that user may enter, and
    /// SIGTERM unmounts with fusermount3 -u. Run in a private mount namespace in which /dev/fuse is
    /// usable by everyone (as udev sets it up on a desktop), so this machine's own /dev/fuse is untouched.
    /// </summary>
    [Fact]
    public void An_unprivileged_user_mounts_through_fusermount3_and_unmounts_on_sigterm()
    {
        using var dir = new TempDir("layerfs-nobody");
        Shell.Ok($"chmod 755 {Shell.Quote(dir.Path)} && mkdir {Shell.Quote(dir.Combine("src"))} {Shell.Quote(dir.Combine("mnt"))} && echo 'owned by nobody' > {Shell.Quote(dir.Combine("src", "f"))} && chown -R 65534:65534 {Shell.Quote(dir.Combine("src"))} {Shell.Quote(dir.Combine("mnt"))}");
        var asNobody = "setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp";
        var script = $"""
            set -u
            cd {Shell.Quote(dir.Path)}
            mknod fuse c 10 229 && chmod 666 fuse && mount --bind fuse /dev/fuse
            {asNobody} {Shell.Quote(LoopbackDaemon.DotnetHost)} {Shell.Quote(LoopbackDaemon.Dll)} src mnt -f --log-level debug 2> daemon.log &
            pid=$!
            for i in $(seq 300); do grep -q ' mounted ' daemon.log && break; sleep 0.1; done
            echo "mountinfo: $(grep " $PWD/mnt " /proc/self/mountinfo)"
            echo "nobody reads: $({asNobody} cat mnt/f)"
            echo "root reads: $(cat mnt/f 2>&1)"
            kill -TERM $pid; wait $pid; echo "daemon exit: $?"
            grep -q " $PWD/mnt " /proc/self/mountinfo && echo "still mounted" || echo "unmounted"
            cat daemon.log
            """;
        var r = ProcessRunner.Run("unshare", ["--mount", "--propagation", "private", "/bin/bash", "-c", script], TimeSpan.FromSeconds(90));
        output.WriteLine(r.Stdout + r.Stderr);
        Assert.Contains("fuse.loopback", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("user_id=65534", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("nobody reads: owned by nobody", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("root reads: cat: mnt/f: Permission denied", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("daemon exit: 0", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nunmounted\n", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("mounted " + dir.Combine("mnt") + " with fusermount3", r.Stdout.Replace("\"", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("Passthrough: not requested", r.Stdout, StringComparison.Ordinal);
    }

    /// <summary>mount.fuse3 -o drop_privileges mounts by itself and runs the filesystem with /dev/fd/N as the mountpoint.</summary>
    [Fact]
    public void Mount_fuse3_with_drop_privileges_hands_over_dev_fd_n()
    {
        using var dir = new TempDir("layerfs-devfd");
        var src = dir.Combine("src");
        var mnt = dir.Combine("mnt");
        var bin = dir.Combine("bin");
        var log = dir.Combine("daemon.log");
        SourceTree.Create(src);
        Directory.CreateDirectory(mnt);
        Directory.CreateDirectory(bin);
        var helper = Path.Combine(bin, "loopbackfs");
        File.WriteAllText(helper, $"#!/bin/sh\nexec {Shell.Quote(LoopbackDaemon.DotnetHost)} {Shell.Quote(LoopbackDaemon.Dll)} \"$@\" 2>>{Shell.Quote(log)}\n");
        File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        try
        {
            Shell.Ok($"PATH={Shell.Quote(bin)}:$PATH mount.fuse3 {Shell.Quote("loopbackfs#" + src)} {Shell.Quote(mnt)} -o drop_privileges");
            Assert.Equal("fuse.loopbackfs", FuseMounts.MountedFileSystemType(mnt));
            Assert.Contains("on /dev/fd/", File.ReadAllText(log), StringComparison.Ordinal);
            Assert.Equal(SourceTree.Describe(src), SourceTree.Describe(mnt));

            Shell.Ok($"umount {Shell.Quote(mnt)}");
            var until = DateTime.UtcNow + ExitTimeout;
            while (!File.ReadAllText(log).Contains("unmounted /dev/fd/", StringComparison.Ordinal) && DateTime.UtcNow < until)
                Thread.Sleep(50);
            output.WriteLine(File.ReadAllText(log));
            Assert.Contains("unmounted /dev/fd/", File.ReadAllText(log), StringComparison.Ordinal);
        }
        finally
        {
            MountWait.Cleanup(mnt);
        }
    }

    /// <summary>
    /// A store inside a container sits on overlayfs. max_stack_depth chosen from the backing path (2)
    /// lets the kernel take those files; forcing depth 1 makes it refuse (ELOOP), after which the
    /// daemon serves reads itself for good, saying so once.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Passthrough_over_a_source_on_overlayfs(int forcedDepth)
    {
        using var dir = new TempDir("layerfs-overlay");
        var merged = dir.Combine("merged");
        var mnt = dir.Combine("mnt");
        foreach (var d in new[] { "lower", "upper", "work", "merged", "mnt" })
            Directory.CreateDirectory(dir.Combine(d));
        SourceTree.Create(dir.Combine("lower"));
        Shell.Ok($"mount -t overlay overlay -o lowerdir={dir.Combine("lower")},upperdir={dir.Combine("upper")},workdir={dir.Combine("work")} {Shell.Quote(merged)}");
        try
        {
            using (var daemon = LoopbackDaemon.Start(merged, mnt, "--log-level", "verbose", "--max-stack-depth", forcedDepth.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            {
                var sums = "find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum";
                Assert.Equal(Shell.Ok(sums, merged), Shell.Ok(sums, mnt));
                daemon.Dispose();
                var log = daemon.Log;
                if (forcedDepth == 0)
                {
                    Assert.Contains("max_stack_depth 2", log, StringComparison.Ordinal);
                    Assert.DoesNotContain("refused", log, StringComparison.Ordinal);
                    Assert.DoesNotMatch(@"rx \d+: READ i", log);
                }
                else
                {
                    Assert.Contains("max_stack_depth 1", log, StringComparison.Ordinal);
                    Assert.Single(log.Split('\n'), l => l.Contains("refused a passthrough backing file", StringComparison.Ordinal));
                    Assert.Contains("Too many levels of symbolic links", log, StringComparison.Ordinal);
                    Assert.Matches(@"rx \d+: READ i", log);
                }
            }
        }
        finally
        {
            MountWait.Cleanup(mnt);
            Shell.Run($"umount {Shell.Quote(merged)}");
        }
    }
}
