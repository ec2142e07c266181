using System.Security.Cryptography;
using System.Text.Json;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Cli.Tests;

/// <summary>
/// `layerfs export`: the archives load in skopeo, umoci unpacks them to the same tree as the
/// original image, and importing an export gives back the same image.
/// </summary>
public sealed class ExportTests
{
    [Theory]
    [InlineData("oci", "oci-archive")]
    [InlineData("docker", "docker-archive")]
    public void Export_loads_in_skopeo_and_unpacks_to_the_original_tree(string format, string transport)
    {
        using var store = new CliStore();
        using var dir = new TempDir("layerfs-export");
        store.Ok("import", Repo.Corpus("busybox"));
        var archive = dir.Combine("busybox.tar");
        store.Ok("export", "busybox:latest", "-o", archive, "--format", format);

        using var inspect = JsonDocument.Parse(Tool("skopeo", "inspect", $"{transport}:{archive}"));
        Assert.Single(inspect.RootElement.GetProperty("Layers").EnumerateArray());
        Assert.Equal("linux", inspect.RootElement.GetProperty("Os").GetString());
        using var ours = JsonDocument.Parse(store.Ok("inspect", "busybox:latest").Stdout);
        if (format == "oci")
            Assert.Equal(ours.RootElement.GetProperty("manifest_digest").GetString(), inspect.RootElement.GetProperty("Digest").GetString());

        // skopeo copies it into a layout that umoci unpacks to exactly the tree of the original image.
        var copied = dir.Combine("copied");
        Tool("skopeo", "copy", "--quiet", $"{transport}:{archive}", $"oci:{copied}:exported");
        Tool("umoci", "unpack", "--image", $"{copied}:exported", dir.Combine("from-export"));
        var original = dir.Combine("original");
        ProcessRunner.Run("cp", ["-a", Repo.Corpus("busybox"), original]).EnsureSuccess();
        Tool("umoci", "unpack", "--image", $"{original}:latest", dir.Combine("from-corpus"));
        var expected = Listing(dir.Combine("from-corpus", "rootfs"));
        Assert.True(expected.Count > 250, "the busybox rootfs has its applets");
        Assert.Equal(expected, Listing(dir.Combine("from-export", "rootfs")));
    }

    [Theory]
    [InlineData("busybox", "oci")]
    [InlineData("busybox", "docker")]
    [InlineData("edge", "oci")]
    [InlineData("edge", "docker")]
    public void Export_then_import_gives_the_same_image(string image, string format)
    {
        using var store = new CliStore();
        using var dir = new TempDir("layerfs-export");
        store.Ok("import", Repo.Corpus(image));
        var archive = dir.Combine("image.tar");
        store.Ok("export", image, "-o", archive, "--format", format);
        // Deterministic: a second export is the same file.
        var again = dir.Combine("again.tar");
        store.Ok("export", image, "-o", again, "--format", format);
        Assert.Equal(Sha256(archive), Sha256(again));
        // skopeo reads every layer (edge has gzip, zstd and plain ones) and checks each digest.
        Tool("skopeo", "copy", "--quiet", $"{(format == "oci" ? "oci-archive" : "docker-archive")}:{archive}", $"oci:{dir.Combine("copied")}:x");

        using var fresh = new CliStore();
        fresh.Ok("import", archive);
        using var before = JsonDocument.Parse(store.Ok("inspect", image).Stdout);
        using var after = JsonDocument.Parse(fresh.Ok("inspect", $"{image}:latest").Stdout);
        Assert.Equal(before.RootElement.GetProperty("id").GetString(), after.RootElement.GetProperty("id").GetString());
        Assert.Equal(
            before.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("diff_id").GetString()),
            after.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("diff_id").GetString()));
        if (format == "oci")
            Assert.Equal(before.RootElement.GetProperty("manifest_digest").GetString(), after.RootElement.GetProperty("manifest_digest").GetString());
        fresh.Ok("verify");
    }

    [Fact]
    public void A_docker_manifest_is_exported_as_an_oci_one_over_the_same_config()
    {
        using var store = new CliStore();
        using var dir = new TempDir("layerfs-export");
        store.Ok("import", Repo.Corpus("busybox.docker.tar"));
        var archive = dir.Combine("image.tar");
        store.Ok("export", "localhost/corpus/busybox:latest", "-o", archive);
        using var raw = JsonDocument.Parse(Tool("skopeo", "inspect", "--raw", $"oci-archive:{archive}"));
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", raw.RootElement.GetProperty("mediaType").GetString());
        Assert.Equal("application/vnd.oci.image.layer.v1.tar", raw.RootElement.GetProperty("layers")[0].GetProperty("mediaType").GetString());

        using var fresh = new CliStore();
        fresh.Ok("import", archive);
        Assert.Equal(Id(store, "localhost/corpus/busybox:latest"), Id(fresh, "localhost/corpus/busybox:latest"));
    }

    [Fact]
    public void Export_errors_are_one_line_and_leave_no_file()
    {
        using var store = new CliStore();
        using var dir = new TempDir("layerfs-export");
        store.Ok("import", Repo.Corpus("busybox"));

        var unknown = store.Run("export", "nothere:latest", "-o", dir.Combine("x.tar"));
        Assert.Equal(1, unknown.ExitCode);
        Assert.StartsWith("layerfs: no image 'nothere:latest'", unknown.Stderr);
        Assert.Single(unknown.Stderr.Trim().Split('\n'));

        var badFormat = store.Run("export", "busybox", "-o", dir.Combine("x.tar"), "--format", "zip");
        Assert.Equal(2, badFormat.ExitCode);
        Assert.Contains("oci or docker", badFormat.Stderr);

        var noDir = store.Run("export", "busybox", "-o", dir.Combine("missing", "x.tar"));
        Assert.Equal(1, noDir.ExitCode);
        Assert.Single(noDir.Stderr.Trim().Split('\n'));

        var isDir = store.Run("export", "busybox", "-o", dir.Path);
        Assert.Equal(1, isDir.ExitCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    internal static string Tool(string tool, params string[] args) => ProcessRunner.Run(tool, args, TimeSpan.FromMinutes(3)).EnsureSuccess().Stdout;

    internal static string Id(CliStore store, string reference)
    {
        using var json = JsonDocument.Parse(store.Ok("inspect", reference).Stdout);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    private static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }

    /// <summary>Every path with its type, mode, owner, size, mtime, link target and content hash.</summary>
    internal static List<string> Listing(string root)
    {
        var meta = ProcessRunner.Run("find", [root, "-printf", @"%P|%y|%m|%U|%G|%s|%T@|%l\n"]).EnsureSuccess().Stdout;
        var sums = ProcessRunner.Shell($"cd '{root}' && find . -type f -print0 | xargs -0 -r sha256sum").EnsureSuccess().Stdout;
        var lines = meta.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        lines.AddRange(sums.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
