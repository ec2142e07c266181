using System.Diagnostics;
using System.Text.Json;
using LayerFs.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace LayerFs.Cli.Tests;

/// <summary>
/// Kills `rmi`, `tag` and `prune` with SIGKILL at moments spread over the time each holds the
/// store lock (where all its changes happen; before it, the process is still starting), and
/// checks after each kill: verify is clean, the image list is the one before or the one after,
/// running the command again succeeds, and prune leaves no unreferenced file.
/// LAYERFS_CRASH_COMMAND_KILLS sets the kills per command (`make stress` runs more).
/// </summary>
public sealed class CommandCrashTests
{
    private readonly ITestOutputHelper _output;

    public CommandCrashTests(ITestOutputHelper output) => _output = output;

    private static int Kills => int.TryParse(Environment.GetEnvironmentVariable("LAYERFS_CRASH_COMMAND_KILLS"), out var n) ? n : 6;

    private static readonly string[] Before = ["busybox:latest", "edge:latest"];

    [Fact]
    public void Tag_killed_at_any_moment_leaves_the_old_or_the_new_tags()
    {
        using var store = Prepared();
        var landed = Run(store, "tag", i => ["tag", "edge:latest", $"edge:v{i}"], i =>
        {
            string[] after = [.. Before, $"edge:v{i}"];
            AssertOneOf(store, Before, after);
            store.Ok("tag", "edge:latest", $"edge:v{i}");
            Assert.Equal(after.Order(StringComparer.Ordinal), CrashChecks.Tags(store).Order(StringComparer.Ordinal));
            store.Ok("rmi", $"edge:v{i}");
        });
        Assert.True(landed > 0, "no kill landed while tag held the store");
    }

    [Fact]
    public void Rmi_killed_at_any_moment_leaves_the_image_or_removes_it_whole()
    {
        using var store = Prepared();
        var landed = Run(store, "rmi", _ => ["rmi", "edge:latest"], _ =>
        {
            AssertOneOf(store, Before, ["busybox:latest"]);
            if (CrashChecks.Tags(store).Contains("edge:latest"))
                store.Ok("rmi", "edge:latest");
            Assert.Equal(["busybox:latest"], CrashChecks.Tags(store));
            // Killed after its transaction, rmi leaves files no row names: the next prune takes them.
            store.Ok("prune");
            CrashChecks.AssertNoUnreferencedFiles(store);
            store.Ok("import", Repo.Corpus("edge"));
        });
        Assert.True(landed > 0, "no kill landed while rmi held the store");
    }

    [Fact]
    public void Prune_killed_at_any_moment_leaves_a_store_the_next_prune_cleans()
    {
        using var store = Prepared();
        var landed = Run(store, "prune", _ => ["prune"], _ =>
        {
            Assert.Equal(["busybox:latest"], CrashChecks.Tags(store));
            store.Ok("prune");
            CrashChecks.AssertNoUnreferencedFiles(store);
            store.Ok("import", Repo.Corpus("edge"));
        }, setUp: () => MakeGarbage(store));
        Assert.True(landed > 0, "no kill landed while prune held the store");
    }

    /// <summary>A store with busybox (which no kill may damage) and edge (what the commands change).</summary>
    private static CliStore Prepared()
    {
        var store = new CliStore();
        store.Ok("import", Repo.Corpus("busybox"));
        store.Ok("import", Repo.Corpus("edge"));
        return store;
    }

    /// <summary>
    /// Leaves edge's layers, rows and objects unreferenced, as a mount that let go of them does:
    /// rmi while a lease holds them (rmi's own collection keeps them), then the holder dies.
    /// </summary>
    private static void MakeGarbage(CliStore store)
    {
        using var layers = JsonDocument.Parse(store.Ok("inspect", "edge:latest").Stdout);
        var top = layers.RootElement.GetProperty("layers").EnumerateArray().Last().GetProperty("chain_id").GetString();
        var lease = Path.Combine(store.Root, "leases", "crash-test");
        File.WriteAllText(lease, $"chain {top}\n");
        using var holder = Process.Start(new ProcessStartInfo("flock", ["--shared", "--no-fork", lease, "sleep", "600"]) { UseShellExecute = false })!;
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!CrashChecks.Locked(lease) && DateTime.UtcNow < deadline)
                Thread.Sleep(10);
            store.Ok("rmi", "edge:latest");
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
        }
        using var dryRun = JsonDocument.Parse(store.Ok("prune", "--dry-run", "--format", "json").Stdout);
        Assert.NotEmpty(dryRun.RootElement.GetProperty("chains").EnumerateArray());
    }

    /// <summary>
    /// Measures how long the command holds the store lock, then runs it Kills times, killing it
    /// at moments spread over that time; after each kill, verify, then the command's own checks.
    /// Returns how many kills landed while the command held the lock.
    /// </summary>
    private int Run(CliStore store, string name, Func<int, string[]> args, Action<int> check, Action? setUp = null)
    {
        setUp?.Invoke();
        var held = CrashChecks.LockHeldTime(store, args(-1));
        check(-1);
        var landed = 0;
        for (var i = 0; i < Kills; i++)
        {
            setUp?.Invoke();
            var at = TimeSpan.FromTicks((long)(held.Ticks * (i + 0.5) / Kills));
            if (CrashChecks.KillWhileLocked(store, args(i), at))
                landed++;
            var verify = store.Run("verify");
            Assert.True(verify.ExitCode == 0, $"{name} killed {at.TotalMilliseconds:F1} ms into its lock: verify failed: {verify.Stdout}{verify.Stderr}");
            Assert.Contains("busybox:latest", CrashChecks.Tags(store));
            check(i);
            store.Ok("verify");
        }
        _output.WriteLine($"{name}: {landed} of {Kills} kills landed while it held the store lock ({held.TotalMilliseconds:F1} ms)");
        return landed;
    }

    private static void AssertOneOf(CliStore store, string[] before, string[] after)
    {
        var tags = CrashChecks.Tags(store).Order(StringComparer.Ordinal).ToList();
        Assert.True(tags.SequenceEqual(before.Order(StringComparer.Ordinal)) || tags.SequenceEqual(after.Order(StringComparer.Ordinal)),
            $"images after the kill: {string.Join(", ", tags)}");
    }
}
