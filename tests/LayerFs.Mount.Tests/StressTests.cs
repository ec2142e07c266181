using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using LayerFs.Mount.Tests.Support;
using LayerFs.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace LayerFs.Mount.Tests;

/// <summary>
/// Everything at once, for a bounded time, against the `layerfs mount` daemon: threads reading
/// random files of an image and comparing their sha256 with an independent unpack (umoci), a
/// layer.tar read against its diff_id, `find` walks, and imports, tags, rmi and prune of other
/// images. Nothing may fail or stall, every read must give the right bytes, and the daemon's
/// resident memory must stay under a bound. LAYERFS_STRESS_SECONDS sets the time (`make test`:
/// short; `make stress`: minutes, on the Debian image when it has been built).
/// </summary>
public sealed class StressTests
{
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(90);
    private readonly ITestOutputHelper _output;

    public StressTests(ITestOutputHelper output) => _output = output;

    private static TimeSpan Duration =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("LAYERFS_STRESS_SECONDS"), out var s) ? s : 20);

    /// <summary>The Debian image for long runs (if built: see <see cref="DebianCorpus"/>), else busybox.</summary>
    private static (string Layout, string Tag) Subject()
    {
        if (Duration >= TimeSpan.FromMinutes(1) && File.Exists("/var/tmp/layerfs-test-corpus/build/SHA256SUMS"))
            return (DebianCorpus.Locate(), "debian:latest");
        return (Repo.Corpus("busybox"), "busybox:latest");
    }

    /// <summary>Peak resident memory allowed to the daemon.</summary>
    private const long RssBoundBytes = 512L << 20;

    [Fact]
    public void Reads_walks_imports_tags_removals_and_prunes_at_once()
    {
        var (layout, tag) = Subject();
        using var cli = new CliMount();
        cli.Run("import", layout).EnsureSuccess();
        var reference = ReferenceUnpack.Unpack($"oci:{layout}:latest", Directory.CreateDirectory(cli.Combine("reference")).FullName);
        var expected = Find(reference, "-type", "f").ToDictionary(rel => rel, rel => Sha256(Path.Combine(reference, rel)), StringComparer.Ordinal);
        var expectedNames = Find(reference).Length;
        using var inspect = JsonDocument.Parse(cli.Run("inspect", tag).EnsureSuccess().Stdout);
        var top = inspect.RootElement.GetProperty("layers").EnumerateArray().Last();
        var topChain = top.GetProperty("chain_id").GetString()![7..];
        var topDiff = top.GetProperty("diff_id").GetString()![7..];

        cli.Run("mount", cli.Mountpoint).EnsureSuccess();
        var daemon = Assert.Single(CliMount.DaemonsFor(cli.Mountpoint));
        var rootfs = Path.Combine(cli.Mountpoint, "images", tag, "rootfs");
        var files = expected.Keys.ToArray();

        var failures = new List<string>();
        void Fail(string what)
        {
            lock (failures)
                if (failures.Count < 50)
                    failures.Add(what);
        }
        long reads = 0, bytes = 0, tarReads = 0, walks = 0, churns = 0;
        var progress = new Dictionary<string, long>();
        var clock = Stopwatch.StartNew();
        void Alive(string who)
        {
            lock (progress)
                progress[who] = clock.ElapsedMilliseconds;
        }
        var stop = new CancellationTokenSource();
        var workers = new List<Thread>();
        void Worker(string name, Action body) => workers.Add(new Thread(() =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    body();
                    Alive(name);
                }
            }
            catch (Exception e)
            {
                Fail($"{name}: {e.GetType().Name}: {e.Message}");
            }
        }) { IsBackground = true, Name = name });

        for (var r = 0; r < 4; r++)
        {
            var random = new Random(r);
            var name = $"reader{r}";
            var readsTars = r == 0;
            Worker(name, () =>
            {
                if (readsTars && random.Next(20) == 0)
                {
                    // The layer's tar, rebuilt from the index on every read: its sha256 is the diff_id.
                    var tar = Path.Combine(cli.Mountpoint, "layers", topChain, "layer.tar");
                    if (Sha256(tar) != topDiff)
                        Fail($"{name}: layer.tar of {topChain} does not hash to its diff_id");
                    Interlocked.Increment(ref tarReads);
                    return;
                }
                var rel = files[random.Next(files.Length)];
                var content = File.ReadAllBytes(Path.Combine(rootfs, rel));
                if (Convert.ToHexStringLower(SHA256.HashData(content)) != expected[rel])
                    Fail($"{name}: {rel}: wrong content");
                Interlocked.Increment(ref reads);
                Interlocked.Add(ref bytes, content.Length);
            });
        }
        Worker("find", () =>
        {
            var find = ProcessRunner.Run("find", [rootfs, "-mindepth", "1"], TimeSpan.FromMinutes(5));
            var names = find.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            if (find.ExitCode != 0 || names != expectedNames)
                Fail($"find: exit {find.ExitCode}, {names} names (expected {expectedNames}): {find.Stderr}");
            Interlocked.Increment(ref walks);
        });
        var round = 0;
        Worker("churn", () =>
        {
            // Other images come and go while the readers work: import, tag, rmi, prune.
            var n = round++;
            string[] sources = [Repo.Corpus("edge"), Repo.Corpus("edge.docker.tar"), Repo.Corpus("edge.oci-archive.tar")];
            string[][] steps =
            [
                ["import", sources[n % sources.Length], "--name", $"churn:{n}"],
                ["tag", $"churn:{n}", $"churn/tagged:{n}"],
                ["images"],
                ["rmi", $"churn:{n}"],
                ["rmi", $"churn/tagged:{n}"],
                ["prune"],
            ];
            foreach (var step in steps)
            {
                var result = cli.Run(step);
                if (result.ExitCode != 0)
                    Fail($"churn: layerfs {string.Join(' ', step)}: {result.Stderr.Trim()}");
            }
            Interlocked.Increment(ref churns);
        });

        long peakRss = 0, firstRss = 0;
        var samples = 0;
        workers.ForEach(t => t.Start());
        try
        {
            while (clock.Elapsed < Duration && failures.Count == 0)
            {
                Thread.Sleep(500);
                var rss = ResidentBytes(daemon);
                Assert.True(rss > 0, "the daemon is gone");
                firstRss = firstRss == 0 ? rss : firstRss;
                peakRss = Math.Max(peakRss, rss);
                samples++;
                lock (progress)
                    foreach (var (who, at) in progress)
                        Assert.True(clock.ElapsedMilliseconds - at < Stall.TotalMilliseconds, $"{who} made no progress for {Stall.TotalSeconds} s (deadlock?)");
            }
        }
        finally
        {
            stop.Cancel();
            if (!workers.All(t => t.Join(Stall)))
            {
                // A worker stuck in the mount: end the daemon (ours, by PID) so that it returns.
                Process.GetProcessById(daemon).Kill();
                Fail("a worker did not finish (deadlock?)");
            }
        }
        _output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s on {tag}: {reads} file reads verified ({bytes >> 20} MiB), {tarReads} layer.tar reads verified, {walks} find walks of {expectedNames} names, {churns} import/tag/rmi/prune rounds; daemon RSS {firstRss >> 20} MiB at first, peak {peakRss >> 20} MiB over {samples} samples");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(reads > 0 && walks > 0 && churns > 0, "some worker never finished a round");
        Assert.True(peakRss < RssBoundBytes, $"the daemon's RSS reached {peakRss >> 20} MiB");

        cli.Run("umount", cli.Mountpoint).EnsureSuccess();
        cli.Run("verify").EnsureSuccess();
        using var leftover = JsonDocument.Parse(cli.Run("prune", "--dry-run", "--format", "json").EnsureSuccess().Stdout);
        Assert.Equal(0, leftover.RootElement.GetProperty("objects").GetInt32());
    }

    /// <summary>VmRSS of a process, in bytes; 0 if it is gone.</summary>
    private static long ResidentBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Paths under root, relative, as find(1) lists them (never following symlinks).</summary>
    private static string[] Find(string root, params string[] tests) =>
        ProcessRunner.Run("find", [root, "-mindepth", "1", .. tests, "-printf", "%P\n"], TimeSpan.FromMinutes(5)).EnsureSuccess()
            .Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
