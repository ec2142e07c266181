using System.Text.Json;
using LayerFs.Mount.Tests.Support;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Mount.Tests;

/// <summary>The corpus through a real mount: rootfs against umoci, layer.tar against diff_ids, blobs byte for byte.</summary>
public sealed class CorpusMountTests : IClassFixture<CorpusMountFixture>
{
    private readonly CorpusMountFixture _fixture;

    public CorpusMountTests(CorpusMountFixture fixture) => _fixture = fixture;

    public static TheoryData<string> Tags => [.. CorpusMountFixture.Images.Keys];

    [Theory]
    [MemberData(nameof(Tags))]
    public void Rootfs_is_what_the_layers_make_entry_by_entry(string tag)
    {
        var expected = TreeDump.Take(_fixture.Reference(CorpusMountFixture.Images[tag]));
        var actual = TreeDump.Take(_fixture.Mount.Combine("images", tag, "rootfs"));
        var diffs = TreeComparison.Compare(expected, actual);
        Assert.True(diffs.Count == 0, $"{diffs.Count} differences:\n" + string.Join("\n", diffs.Take(100)));
        Assert.True(actual.Count > 150, $"only {actual.Count} entries");
    }

    [Fact]
    public void Every_layer_tar_hashes_to_its_diff_id()
    {
        var layers = Directory.GetDirectories(_fixture.Mount.Combine("layers"));
        Assert.Equal(6, layers.Length);
        foreach (var layer in layers)
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layer, "json")));
            var diffId = json.RootElement.GetProperty("diff_id").GetString();
            var sum = ProcessRunner.Run("sha256sum", [Path.Combine(layer, "layer.tar")]).EnsureSuccess().Stdout.Split(' ')[0];
            Assert.Equal(diffId, "sha256:" + sum);
            Assert.Equal(new FileInfo(Path.Combine(layer, "layer.tar")).Length, json.RootElement.GetProperty("tar_size").GetInt64());
        }
    }

    [Theory]
    [InlineData("edge:latest", "edge")]
    [InlineData("localhost/corpus/busybox:latest", "busybox")]
    public void Json_and_manifest_are_the_blobs_byte_for_byte(string tag, string corpus)
    {
        var manifest = File.ReadAllBytes(_fixture.Mount.Combine("images", tag, "manifest.json"));
        using var doc = JsonDocument.Parse(manifest);
        var config = doc.RootElement.GetProperty("config").GetProperty("digest").GetString()!;
        var configBlob = Repo.Corpus($"{corpus}/blobs/sha256/{config[7..]}");
        if (tag.StartsWith("edge", StringComparison.Ordinal))
            Assert.Equal(File.ReadAllBytes(configBlob), File.ReadAllBytes(_fixture.Mount.Combine("images", tag, "json")));
        else
            Assert.Equal(config, "sha256:" + ProcessRunner.Run("sha256sum", [_fixture.Mount.Combine("images", tag, "json")]).EnsureSuccess().Stdout.Split(' ')[0]);
    }

    [Fact]
    public void Image_layers_link_to_their_chains_bottom_first()
    {
        var dir = _fixture.Mount.Combine("images", "localhost", "corpus", "edge:latest", "layers");
        Assert.Equal(["0", "1", "2", "3", "4"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order());
        var target = new FileInfo(Path.Combine(dir, "0")).LinkTarget!;
        Assert.StartsWith("../../../../../layers/", target, StringComparison.Ordinal);
        // The link resolves, and its chain's parent is null for the bottom layer.
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "0", "json")));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("parent").ValueKind);
        using var top = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "4", "json")));
        Assert.Equal(Path.GetFileName(new FileInfo(Path.Combine(dir, "3")).LinkTarget), top.RootElement.GetProperty("parent").GetString()![7..]);
    }

    [Fact]
    public void Cp_a_out_of_a_rootfs_keeps_hard_links()
    {
        var dest = _fixture.Store.TempPath("cp-" + Guid.NewGuid().ToString("N"));
        ProcessRunner.Run("cp", ["-a", _fixture.Mount.Combine("images", "edge:latest", "rootfs"), dest], TimeSpan.FromMinutes(5)).EnsureSuccess();
        var copy = TreeDump.Take(dest);
        var source = TreeDump.Take(_fixture.Mount.Combine("images", "edge:latest", "rootfs"));
        var diffs = TreeComparison.Compare(source, copy, new TreeComparisonOptions { CompareRoot = false });
        Assert.True(diffs.Count == 0, string.Join("\n", diffs.Take(50)));
        Assert.Contains(copy.Values, e => e.Type == "f" && e.NLink == 2);
    }
}
