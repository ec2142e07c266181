using System.Text.Json;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Cli.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void Import_then_list_inspect_and_history()
    {
        using var store = new CliStore();
        var import = store.Ok("import", Repo.Corpus("busybox"));
        Assert.Contains("imported busybox:latest", import.Stdout);

        var images = store.Ok("images");
        Assert.Matches(@"(?m)^busybox\s+latest\s+[0-9a-f]{12}\s", images.Stdout);

        using var json = JsonDocument.Parse(store.Ok("images", "--format", "json").Stdout);
        var image = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("busybox:latest", image.GetProperty("tags")[0].GetString());
        var id = image.GetProperty("id").GetString()!;
        Assert.StartsWith("sha256:", id);

        using var inspect = JsonDocument.Parse(store.Ok("inspect", "busybox").Stdout);
        Assert.Equal(id, inspect.RootElement.GetProperty("id").GetString());
        Assert.Equal("linux", inspect.RootElement.GetProperty("config").GetProperty("os").GetString());
        Assert.Equal(1, inspect.RootElement.GetProperty("layers").GetArrayLength());

        using var history = JsonDocument.Parse(store.Ok("history", "busybox:latest", "--format", "json").Stdout);
        Assert.True(history.RootElement.GetArrayLength() >= 1);

        using var layers = JsonDocument.Parse(store.Ok("layers", "--format", "json").Stdout);
        Assert.Equal(1, layers.RootElement.GetArrayLength());
    }

    [Fact]
    public void References_resolve_by_tag_id_and_prefix()
    {
        using var store = new CliStore();
        store.Ok("import", Repo.Corpus("busybox"));
        store.Ok("import", Repo.Corpus("edge"));
        using var json = JsonDocument.Parse(store.Ok("images", "--format", "json").Stdout);
        var ids = json.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()!["sha256:".Length..]).ToList();
        Assert.Equal(2, ids.Count);

        foreach (var id in ids)
        {
            Assert.Contains(id, store.Ok("inspect", id).Stdout);
            Assert.Contains(id, store.Ok("inspect", "sha256:" + id).Stdout);
            Assert.Contains(id, store.Ok("inspect", id[..8]).Stdout);
        }

        // The empty-ish prefix common to both is ambiguous: one line naming the candidates.
        var common = new string(ids[0].TakeWhile((c, i) => i < ids[1].Length && ids[1][i] == c).ToArray());
        if (common.Length > 0)
        {
            var ambiguous = store.Run("inspect", common);
            Assert.NotEqual(0, ambiguous.ExitCode);
            Assert.Contains("ambiguous", ambiguous.Stderr);
        }
        var missing = store.Run("inspect", "nothere:latest");
        Assert.Equal(1, missing.ExitCode);
        Assert.Single(missing.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Tag_and_rmi_remove_only_what_no_other_image_uses()
    {
        using var store = new CliStore();
        store.Ok("import", Repo.Corpus("busybox"));
        store.Ok("import", Repo.Corpus("edge"));
        store.Ok("tag", "busybox:latest", "example.com/tools/busybox:1.0");
        Assert.Contains("example.com/tools/busybox", store.Ok("images").Stdout);

        // Removing one of two names keeps the image.
        var untag = store.Ok("rmi", "busybox:latest");
        Assert.Contains("untagged: busybox:latest", untag.Stdout);
        Assert.DoesNotContain("deleted", untag.Stdout);
        Assert.Contains("example.com/tools/busybox", store.Ok("images").Stdout);

        var rmi = store.Ok("rmi", "example.com/tools/busybox:1.0");
        Assert.Contains("deleted", rmi.Stdout);
        using var left = JsonDocument.Parse(store.Ok("images", "--format", "json").Stdout);
        Assert.Equal("edge:latest", Assert.Single(left.RootElement.EnumerateArray()).GetProperty("tags")[0].GetString());
        Assert.Contains("ok:", store.Ok("verify").Stdout);
        // Nothing is left for prune: rmi already removed what only busybox used.
        using var prune = JsonDocument.Parse(store.Ok("prune", "--dry-run", "--format", "json").Stdout);
        Assert.Equal(0, prune.RootElement.GetProperty("objects").GetInt32());
        Assert.Equal(0, prune.RootElement.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public void Du_reports_shared_and_unique_bytes()
    {
        using var store = new CliStore();
        store.Ok("import", Repo.Corpus("edge"));
        // edge's third layer on its own, as a plain layer tar: it shares that layer's files with edge.
        using var edgeManifest = JsonDocument.Parse(store.Ok("inspect", "edge").Stdout);
        var thirdBlob = edgeManifest.RootElement.GetProperty("layers")[2].GetProperty("blob").GetString()!["sha256:".Length..];
        store.Ok("import", Repo.Corpus("edge/blobs/sha256/" + thirdBlob), "--name", "third:latest");
        using var du = JsonDocument.Parse(store.Ok("du", "--format", "json").Stdout);
        var images = du.RootElement.GetProperty("images").EnumerateArray()
            .ToDictionary(i => i.GetProperty("tags")[0].GetString()!, i => (Shared: i.GetProperty("shared").GetInt64(), Unique: i.GetProperty("unique").GetInt64()));
        Assert.Equal(2, images.Count);
        Assert.True(images["third:latest"].Shared > 0);
        Assert.Equal(images["third:latest"].Shared, images["edge:latest"].Shared);
        Assert.True(images["edge:latest"].Unique > 64 << 20, "edge alone holds its 64 MiB file");
        Assert.True(du.RootElement.GetProperty("dedup_saved_bytes").GetInt64() >= 0);
    }

    [Fact]
    public void Errors_are_one_line_with_a_non_zero_exit()
    {
        using var store = new CliStore();
        var missing = store.Run("import", "/nonexistent/image");
        Assert.Equal(1, missing.ExitCode);
        Assert.Single(missing.Stderr.Trim().Split('\n'));
        Assert.StartsWith("layerfs: ", missing.Stderr);

        var usage = store.Run("images", "--format", "xml");
        Assert.Equal(2, usage.ExitCode);
        var badName = store.Run("import", Repo.Corpus("busybox"), "--name", "Bad Name!");
        Assert.NotEqual(0, badName.ExitCode);
        Assert.Contains("invalid", badName.Stderr);
    }

    [Fact]
    public void Store_is_created_private()
    {
        using var store = new CliStore();
        store.Ok("images");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(store.Root));
    }
}
