using System.Text.Json;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Cli.Tests;

/// <summary>
/// `layerfs diff` and `layerfs commit` on a userspace view, as a user runs them. The view's
/// changes are made directly in its upper directory (a new file there is what a write through
/// the mounted view leaves), so no mount is needed.
/// </summary>
public sealed class CommitCommandTests
{
    [Fact]
    public void Diff_commit_export_and_reimport_a_view()
    {
        using var store = new CliStore();
        using var dir = new TempDir("layerfs-commit-cli");
        store.Ok("import", Repo.Corpus("busybox"));
        store.Ok("view", "create", "dev", "--from", "busybox:latest");
        File.WriteAllText(Path.Combine(Upper(store, "dev"), "hello.txt"), "hello\n");

        Assert.Contains("A /hello.txt", store.Ok("diff", "dev").Stdout.Split('\n'));
        using (var diff = JsonDocument.Parse(store.Ok("diff", "dev", "--format", "json").Stdout))
            Assert.Contains(diff.RootElement.EnumerateArray(), c => c.GetProperty("path").GetString() == "/hello.txt" && c.GetProperty("kind").GetString() == "A");

        var commit = store.Ok("commit", "dev", "busybox:hello", "-m", "say hello");
        Assert.StartsWith("committed busybox:hello (", commit.Stdout);
        using (var history = JsonDocument.Parse(store.Ok("history", "busybox:hello", "--format", "json").Stdout))
        {
            var top = history.RootElement[0];
            Assert.Equal("layerfs commit", top.GetProperty("created_by").GetString());
            Assert.Equal("say hello", top.GetProperty("comment").GetString());
        }
        // The same change again: the same layer, already stored.
        using (var again = JsonDocument.Parse(store.Ok("commit", "dev", "busybox:hello2", "--format", "json").Stdout))
            Assert.False(again.RootElement.GetProperty("layer_new").GetBoolean());
        store.Ok("verify");

        // The committed image leaves the store as an archive that skopeo and umoci take, with the file in it.
        var archive = dir.Combine("hello.tar");
        store.Ok("export", "busybox:hello", "-o", archive);
        ExportTests.Tool("skopeo", "copy", "--quiet", $"oci-archive:{archive}", $"oci:{dir.Combine("layout")}:hello");
        ExportTests.Tool("umoci", "unpack", "--image", $"{dir.Combine("layout")}:hello", dir.Combine("bundle"));
        Assert.Equal("hello\n", File.ReadAllText(dir.Combine("bundle", "rootfs", "hello.txt")));
        Assert.True(File.Exists(dir.Combine("bundle", "rootfs", "bin", "busybox")));
        using var fresh = new CliStore();
        fresh.Ok("import", archive);
        Assert.Equal(ExportTests.Id(store, "busybox:hello"), ExportTests.Id(fresh, "busybox:hello"));
    }

    [Fact]
    public void Diff_and_commit_errors_are_one_line_and_change_nothing()
    {
        using var store = new CliStore();
        store.Ok("import", Repo.Corpus("busybox"));
        store.Ok("view", "create", "dev", "--from", "busybox:latest");
        File.WriteAllText(Path.Combine(Upper(store, "dev"), "hello.txt"), "hello\n");
        var before = StoreSnapshot.Take(store.Root);

        foreach (var (args, expected) in new[]
        {
            (new[] { "diff", "nope" }, "layerfs: no view 'nope'"),
            (["commit", "nope", "x:y"], "layerfs: no view 'nope'"),
            (["commit", "dev", "Bad Name!"], "layerfs: invalid image name"),
        })
        {
            var run = store.Run(args);
            Assert.Equal(1, run.ExitCode);
            Assert.StartsWith(expected, run.Stderr);
            Assert.Single(run.Stderr.Trim().Split('\n'));
        }
        Assert.Empty(StoreSnapshot.Diff(before, StoreSnapshot.Take(store.Root)));
    }

    internal static string Upper(CliStore store, string view) => Path.Combine(store.Root, "views", view, "upper");
}
