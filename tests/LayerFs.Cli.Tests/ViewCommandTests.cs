using System.Text.Json;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Cli.Tests;

/// <summary>`view create/ls/rm` as a user runs them: the records, their storage, and what they protect.</summary>
public sealed class ViewCommandTests
{
    [Fact]
    public void Create_list_and_remove_a_view()
    {
        using var store = new CliStore();
        store.Ok("import", Repo.Corpus("busybox"));
        Assert.Contains("created view dev", store.Ok("view", "create", "dev", "--from", "busybox:latest").Stdout);
        Assert.True(Directory.Exists(Path.Combine(store.Root, "views", "dev", "upper")));

        Assert.Matches(@"(?m)^dev\s+busybox:latest\s+[0-9a-f]{12}\s+userspace\s", store.Ok("view", "ls").Stdout);
        using (var json = JsonDocument.Parse(store.Ok("view", "ls", "--format", "json").Stdout))
        {
            var view = Assert.Single(json.RootElement.EnumerateArray());
            Assert.Equal("dev", view.GetProperty("name").GetString());
            Assert.Equal("userspace", view.GetProperty("snapshotter").GetString());
            Assert.StartsWith("sha256:", view.GetProperty("image_id").GetString());
        }

        store.Ok("view", "rm", "dev");
        Assert.False(Directory.Exists(Path.Combine(store.Root, "views", "dev")));
        using (var json = JsonDocument.Parse(store.Ok("view", "ls", "--format", "json").Stdout))
            Assert.Equal(0, json.RootElement.GetArrayLength());
    }

    [Fact]
    public void An_image_used_by_a_view_is_not_removed()
    {
        using var store = new CliStore();
        store.Ok("import", Repo.Corpus("busybox"));
        store.Ok("view", "create", "dev", "--from", "busybox");
        var refused = store.Run("rmi", "busybox:latest");
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("layerfs: image", refused.Stderr.Trim()[..14]);
        Assert.Contains("used by view dev", refused.Stderr);
        Assert.Single(refused.Stderr.Trim().Split('\n'));
        store.Ok("prune");
        Assert.Contains("busybox", store.Ok("images").Stdout);

        store.Ok("view", "rm", "dev");
        store.Ok("rmi", "busybox:latest");
        Assert.DoesNotContain("busybox", store.Ok("images").Stdout);
    }

    [Theory]
    [InlineData("view", "create", "../escape", "--from", "busybox")]
    [InlineData("view", "create", "a/b", "--from", "busybox")]
    [InlineData("view", "create", ".hidden", "--from", "busybox")]
    [InlineData("view", "create", "ok", "--from", "nosuchimage")]
    [InlineData("view", "rm", "nosuchview")]
    public void Bad_view_commands_fail_with_one_line_and_change_nothing(params string[] args)
    {
        using var store = new CliStore();
        store.Ok("import", Repo.Corpus("busybox"));
        var before = StoreSnapshot.Take(store.Root);
        var result = store.Run(args);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("layerfs: ", result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.Empty(StoreSnapshot.Diff(before, StoreSnapshot.Take(store.Root)));
    }

    [Fact]
    public void Duplicate_names_and_unknown_snapshotters_are_refused()
    {
        using var store = new CliStore();
        store.Ok("import", Repo.Corpus("busybox"));
        store.Ok("view", "create", "dev", "--from", "busybox");
        var duplicate = store.Run("view", "create", "dev", "--from", "busybox");
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("exists already", duplicate.Stderr);
        var unknown = store.Run("view", "create", "other", "--from", "busybox", "--snapshotter", "zfs");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("unknown snapshotter 'zfs'", unknown.Stderr);
    }
}
