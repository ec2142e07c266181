using System.Diagnostics;
using System.Text.Json;
using LayerFs.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace LayerFs.Cli.Tests;

/// <summary>
/// Kills `layerfs import` with SIGKILL at moments spread over a whole import, and checks after
/// each kill that the store is sound: verify is clean, no partial image is listed, prune leaves
/// no unreferenced file, and the import then succeeds. LAYERFS_CRASH_KILLS and
/// LAYERFS_CRASH_IMAGE choose how many kills and which image (`make stress`: 50 on Debian).
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
            var killedEarly = KillImportAt(store, at);
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

    /// <summary>Starts an import and SIGKILLs it after the given time; true if it was still running.</summary>
    private static bool KillImportAt(CliStore store, TimeSpan at)
    {
        var psi = new ProcessStartInfo(Repo.Cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--store", store.Root, "import", Image })
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
