using LayerFs.Store;
using LayerFs.Store.Import;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Store.Tests;

/// <summary>The import forms the corpus does not hold as files: legacy docker save, plain layer tarballs.</summary>
public sealed class ImportFormsTests
{
    [Fact]
    public void Legacy_docker_save_layout_imports_with_the_same_layers()
    {
        using var dir = new TempDir();
        var unpacked = dir.Combine("legacy");
        Directory.CreateDirectory(unpacked);
        ProcessRunner.Run("tar", ["-xf", Repo.Corpus("busybox.docker.tar"), "-C", unpacked]).EnsureSuccess();
        // Without manifest.json only the legacy layout remains: repositories, <id>/json, <id>/layer.tar.
        File.Delete(Path.Combine(unpacked, "manifest.json"));
        Assert.True(File.Exists(Path.Combine(unpacked, "repositories")));

        using var store = ImageStore.Open(dir.Combine("store"));
        store.Import(Repo.Corpus("busybox"), new ImportOptions());
        var reference = store.Resolve("busybox:latest");
        var result = store.Import(unpacked, new ImportOptions());
        var image = store.Resolve(Assert.Single(Assert.Single(result.Images).Tags));
        Assert.Equal(reference.Layers.Select(l => l.DiffId), image.Layers.Select(l => l.DiffId));
        Assert.Equal(0, result.LayersNew);
        Assert.True(store.Verify(null).Ok);
    }

    [Fact]
    public void Unpacked_docker_save_directory_imports()
    {
        using var dir = new TempDir();
        var unpacked = dir.Combine("docker");
        Directory.CreateDirectory(unpacked);
        ProcessRunner.Run("tar", ["-xf", Repo.Corpus("edge.docker.tar"), "-C", unpacked]).EnsureSuccess();
        using var store = ImageStore.Open(dir.Combine("store"));
        var result = store.Import(unpacked, new ImportOptions());
        Assert.Equal(5, Assert.Single(result.Images).LayerCount);
        Assert.True(store.Verify(null).Ok);
    }

    [Theory]
    [InlineData("layer.tar", "")]
    [InlineData("layer.tar.gz", "gzip -n -c")]
    [InlineData("layer.tar.zst", "zstd -q -c")]
    public void Plain_layer_tarball_becomes_a_one_layer_image(string file, string compress)
    {
        using var dir = new TempDir();
        var tree = dir.Combine("tree");
        Directory.CreateDirectory(Path.Combine(tree, "etc"));
        File.WriteAllText(Path.Combine(tree, "etc", "hello"), "hello\n");
        File.CreateSymbolicLink(Path.Combine(tree, "link"), "etc/hello");
        var tar = dir.Combine("layer.tar");
        ProcessRunner.Run("tar", ["--sort=name", "--mtime=@1700000000", "--owner=0", "--group=0", "--numeric-owner", "-cf", tar, "-C", tree, "."]).EnsureSuccess();
        var diffId = Digest.Of(File.ReadAllBytes(tar));
        var path = dir.Combine(file);
        if (compress.Length > 0)
            ProcessRunner.Shell($"{compress} {tar} > {path}").EnsureSuccess();

        using var store = ImageStore.Open(dir.Combine("store"));
        var first = store.Import(path, new ImportOptions { Name = "plain:1" });
        var image = store.Resolve("plain:1");
        Assert.Equal(diffId, Assert.Single(image.Layers).DiffId);
        using (var layerTar = store.LayerTar(diffId))
            Assert.Equal(diffId, Digest.Of(ReadAll(layerTar)));
        // The generated config holds nothing time-dependent: a second import is the same image.
        var second = store.Import(path, new ImportOptions { Name = "plain:2" });
        Assert.Equal(first.Images[0].Id, second.Images[0].Id);
        Assert.False(second.Images[0].New);
        Assert.True(store.Verify(null).Ok);
    }

    [Fact]
    public void Plain_layer_without_a_name_is_named_after_the_file()
    {
        using var dir = new TempDir();
        var tar = dir.Combine("My_Rootfs.v2.tar");
        ProcessRunner.Run("tar", ["-cf", tar, "-C", Repo.Root, "README.md"]).EnsureSuccess();
        using var store = ImageStore.Open(dir.Combine("store"));
        var result = store.Import(tar, new ImportOptions());
        Assert.Equal("my_rootfs:latest", Assert.Single(Assert.Single(result.Images).Tags));
    }

    private static byte[] ReadAll(LayerFs.Store.Index.LayerTar tar)
    {
        using var ms = new MemoryStream();
        tar.CopyTo(ms);
        return ms.ToArray();
    }
}
