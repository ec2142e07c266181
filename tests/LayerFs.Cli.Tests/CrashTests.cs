using System.Diagnostics;
using System.Text.Json;
using LayerFs.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace LayerFs.Cli.Tests;

/// <summary>
/// Kills `layerfs import` and `layerfs commit` with SIGKILL at moments spread over a whole run,
/// and checks after each kill that the store is sound: verify is clean, no partial image is
/// listed, prune leaves no unreferenced file, and the command then succeeds. LAYERFS_CRASH_KILLS
/// and LAYERFS_CRASH_IMAGE choose how many kills and which image (`make stress`: 50 on Debian).
/// </summary>
public sealed class CrashTests
{
    private readonly ITestOutputHelper _output;

    public CrashTests(ITestOutputHelper output) => _output = output;

    private static int Kills => int.TryParse(Environment.GetEnvironmentVariable("LAYERFS_CRASH_KILLS"), out var n) ? n : 12;

    private static string Image => Environment.GetEnvironmentVariable("LAYERFS_CRASH_IMAGE") is { Length: > 0 } image ? image : Repo.Corpus("edge");

    [Fact]
    public void Import_killed_at_any_moment_leaves_a_sound_store()
    {
        using var store = new CliStore();
        // Something already in the store, which no kill may damage.
        store.Ok("import", Repo.Corpus("busybox"));

        // How long a whole import takes here, with warm caches as the re-imports below have them.
        var duration = TimeSpan.MaxValue;
        for (var probeRun = 0; probeRun < 2; probeRun++)
        {
            using var probe = new CliStore();
            var clock = Stopwatch.StartNew();
            probe.Ok("import", Image);
            duration = clock.Elapsed < duration ? clock.Elapsed : duration;
        }

        var survived = 0;
        for (var i = 0; i < Kills; i++)
        {
            // Moments evenly spread from process start to the end of the import.
            var at = TimeSpan.FromTicks((long)(duration.Ticks * (i + 0.5) / Kills));
            var killedEarly = KillAt(store, ["import", Image], at);
            var images = Tags(store);
            Assert.Contains("busybox:latest", images);
            var verify = store.Run("verify");
            Assert.True(verify.ExitCode == 0, $"kill {i} at {at.TotalMilliseconds:F0} ms: verify failed: {verify.Stdout}{verify.Stderr}");

            store.Ok("prune");
            AssertNoUnreferencedFiles(store);

            store.Ok("import", Image);
            Assert.True(Tags(store).Count == 2, $"kill {i}: the re-import did not list the image");
            store.Ok("verify");
            store.Ok("rmi", Tags(store).Single(t => t != "busybox:latest"));
            AssertNoUnreferencedFiles(store);
            if (killedEarly)
                survived++;
        }
        _output.WriteLine($"{survived} of {Kills} imports killed before they finished ({duration.TotalMilliseconds:F0} ms each)");
        // How many land mid-import depends on the machine's load; the harness only needs some to.
        Assert.True(survived > 0, "no kill landed during an import");
    }

    [Fact]
    public void Commit_killed_at_any_moment_leaves_a_sound_store()
    {
        using var store = new CliStore();
        store.Ok("import", Repo.Corpus("busybox"));
        store.Ok("view", "create", "dev", "--from", "busybox:latest");
        // Enough change that a commit takes a while: many small files and one large incompressible one.
        var upper = CommitCommandTests.Upper(store, "dev");
        ProcessRunner.Shell($"""
            set -e
            mkdir -p '{upper}/data'
            for i in $(seq 1 400); do printf 'file %s\n' $i > '{upper}/data/f'$i; done
            head -c 48M /dev/urandom > '{upper}/data/large.bin'
            """).EnsureSuccess();
        string[] commit = ["commit", "dev", "busybox:crash"];

        // How long a whole commit of a new layer takes here (the commit is removed again after each probe).
        var duration = TimeSpan.MaxValue;
        for (var probeRun = 0; probeRun < 2; probeRun++)
        {
            var clock = Stopwatch.StartNew();
            store.Ok(commit);
            duration = clock.Elapsed < duration ? clock.Elapsed : duration;
            store.Ok("rmi", "busybox:crash");
        }
        AssertNoUnreferencedFiles(store);

        var survived = 0;
        for (var i = 0; i < Kills; i++)
        {
            var at = TimeSpan.FromTicks((long)(duration.Ticks * (i + 0.5) / Kills));
            var killedEarly = KillAt(store, commit, at);
            var tags = Tags(store);
            Assert.Contains("busybox:latest", tags);
            // Either the commit got through whole, or nothing of it is listed.
            Assert.True(tags.Count == (tags.Contains("busybox:crash") ? 2 : 1), $"kill {i}: images listed: {string.Join(", ", tags)}");
            var verify = store.Run("verify");
            Assert.True(verify.ExitCode == 0, $"kill {i} at {at.TotalMilliseconds:F0} ms: verify failed: {verify.Stdout}{verify.Stderr}");

            store.Ok("prune");
            AssertNoUnreferencedFiles(store);

            store.Ok(commit);
            Assert.Contains("busybox:crash", Tags(store));
            store.Ok("verify");
            store.Ok("rmi", "busybox:crash");
            AssertNoUnreferencedFiles(store);
            if (killedEarly)
                survived++;
        }
        _output.WriteLine($"{survived} of {Kills} commits killed before they finished ({duration.TotalMilliseconds:F0} ms each)");
        Assert.True(survived > 0, "no kill landed during a commit");
    }

    /// <summary>Starts a command and SIGKILLs it after the given time; true if it was still running.</summary>
    private static bool KillAt(CliStore store, string[] args, TimeSpan at)
    {
        var psi = new ProcessStartInfo(Repo.Cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--store", store.Root, .. args])
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var exited = p.WaitForExit(at);
        if (!exited)
        {
            ProcessRunner.Run("kill", ["-KILL", p.Id.ToString()]);
            p.WaitForExit();
        }
        return !exited;
    }

    private static List<string> Tags(CliStore store) => CrashChecks.Tags(store);

    private static void AssertNoUnreferencedFiles(CliStore store) => CrashChecks.AssertNoUnreferencedFiles(store);
}
