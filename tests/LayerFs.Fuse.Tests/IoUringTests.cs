using LayerFs.Fuse.Protocol;
using LayerFs.Fuse.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace LayerFs.Fuse.Tests;

/// <summary>
/// FUSE over io_uring. Whether the kernel offers it is a system setting (the fuse module's
/// enable_uring); tests/run-tests.sh runs this whole assembly once with it off and once with it on,
/// and every test here asserts what the session must do in the mode it finds.
/// </summary>
public sealed class IoUringTests
{
    private const string EnableUring = "/sys/module/fuse/parameters/enable_uring";
    private readonly ITestOutputHelper output;

    public IoUringTests(ITestOutputHelper output) => this.output = output;

    private static bool KernelOffersUring =>
        File.Exists(EnableUring) && File.ReadAllText(EnableUring).Trim() == "Y";

    /// <summary>The kernel's queue count (num_possible_cpus), as the C library reports it.</summary>
    private static int PossibleCpus() => int.Parse(Shell.Ok("getconf _NPROCESSORS_CONF").Trim(), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Requests_are_served_on_the_queue_of_the_callers_cpu_when_the_kernel_offers_io_uring()
    {
        var fs = new MemoryFileSystem { Timeout = TimeSpan.Zero };
        var file = fs.AddFile(fs.Root, "f", "content");
        var servedBy = new List<string>();
        fs.ReadHook = (_, _) =>
        {
            lock (servedBy)
                servedBy.Add(Thread.CurrentThread.Name ?? "?");
            return null;
        };
        using var mount = new InProcessMount(fs, output);
        var c = mount.Session.Connection;
        output.WriteLine($"enable_uring {(KernelOffersUring ? "Y" : "N")}; io_uring queues: {c.IoUringQueues}");
        Assert.Equal(KernelOffersUring, ((FuseInitFlags)c.NegotiatedFlags).HasFlag(FuseInitFlags.OverIoUring));

        // A reader pinned to each CPU in turn: with io_uring its READ is served by that CPU's queue thread.
        var cpus = Environment.ProcessorCount;
        for (var cpu = 0; cpu < cpus; cpu++)
        {
            Assert.Equal("content", Shell.Ok($"taskset -c {cpu} dd if={Shell.Quote(mount.PathOf("f"))} iflag=direct bs=4096 status=none").Trim());
            string last;
            lock (servedBy)
                last = servedBy[^1];
            if (KernelOffersUring)
                Assert.Equal($"fuse-uring-{cpu}", last);
            else
                Assert.StartsWith("fuse-reader-", last, StringComparison.Ordinal);
        }
        Assert.Equal(KernelOffersUring ? PossibleCpus() : 0, c.IoUringQueues);
        GC.KeepAlive(file);
    }

    [Fact]
    public void A_session_told_not_to_use_io_uring_serves_everything_over_dev_fuse()
    {
        var fs = new MemoryFileSystem { Timeout = TimeSpan.Zero };
        fs.AddFile(fs.Root, "f", "content");
        var servedBy = new List<string>();
        fs.ReadHook = (_, _) =>
        {
            lock (servedBy)
                servedBy.Add(Thread.CurrentThread.Name ?? "?");
            return null;
        };
        using var mount = new InProcessMount(fs, output, o => o.IoUring = false);
        Assert.Equal(0, mount.Session.Connection.IoUringQueues);
        Assert.False(((FuseInitFlags)mount.Session.Connection.NegotiatedFlags).HasFlag(FuseInitFlags.OverIoUring));
        Assert.Equal("content", Shell.Ok($"dd if={Shell.Quote(mount.PathOf("f"))} iflag=direct bs=4096 status=none").Trim());
        Assert.All(servedBy, name => Assert.StartsWith("fuse-reader-", name, StringComparison.Ordinal));
        Assert.NotEmpty(servedBy);
    }

    [Fact]
    public void Readers_on_every_cpu_at_once_get_their_own_bytes_through_the_loopback()
    {
        using var fx = new LoopbackFixture("--no-passthrough", "--no-keep-cache");
        Assert.Contains(KernelOffersUring ? $"{PossibleCpus()} io_uring queues" : "0 io_uring queues", fx.Daemon.Log, StringComparison.Ordinal);
        // Regular files only: the source tree also holds a FIFO, whose open would wait for a writer.
        var files = Shell.Ok("find . -type f -printf '%P\\n'", fx.Source).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.True(files.Count > 10);
        var expected = files.ToDictionary(f => f, f => SourceTree.Sha256(fx.InSource(f)));
        // Several threads per CPU, each reading every file through the daemon (no page cache kept):
        // each queue serves requests from all of them, one at a time, and no reply goes to the wrong caller.
        var errors = Deadline.Run(() => Task.WhenAll(Enumerable.Range(0, 4 * Environment.ProcessorCount).Select(_ => Task.Run(() =>
            files.Where(f => SourceTree.Sha256(fx.InMount(f)) != expected[f]).ToList()))).Result);
        Assert.All(errors, Assert.Empty);
    }
}
