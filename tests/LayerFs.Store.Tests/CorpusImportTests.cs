using System.Security.Cryptography;
using LayerFs.Store;
using LayerFs.Store.Import;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Store.Tests;

/// <summary>Every image of the shared corpus imports, in each of its forms, and verifies.</summary>
public sealed class CorpusImportTests
{
    public static TheoryData<string, string, int> Sources => new()
    {
        { "busybox", "busybox:latest", 1 },
        { "busybox.docker.tar", "localhost/corpus/busybox:latest", 1 },
        { "edge", "edge:latest", 5 },
        { "edge.docker.tar", "localhost/corpus/edge:latest", 5 },
        { "edge.oci-archive.tar", "edge:latest", 5 },
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public void Imports_and_verifies(string source, string tag, int layers)
    {
        using var dir = new TempDir();
        using var store = ImageStore.Open(dir.Combine("store"));
        var result = store.Import(Repo.Corpus(source), new ImportOptions());

        var image = Assert.Single(result.Images);
        Assert.Contains(tag, image.Tags);
        Assert.Equal(layers, image.LayerCount);
        var info = store.Resolve(tag);
        Assert.Equal(layers, info.Layers.Count);
        var report = store.Verify(null);
        Assert.True(report.Ok, string.Join("\n", report.Problems));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Layer_tars_rebuild_to_their_diff_ids(string source, string tag, int layers)
    {
        using var dir = new TempDir();
        using var store = ImageStore.Open(dir.Combine("store"));
        store.Import(Repo.Corpus(source), new ImportOptions());
        var image = store.Resolve(tag);
        Assert.Equal(layers, image.Layers.Count);
        foreach (var layer in image.Layers)
        {
            using var tar = store.LayerTar(layer.DiffId);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            // Read through ReadAt at odd chunk sizes: the mount serves layer.tar this way.
            long offset = 0;
            while (true)
            {
                var n = tar.ReadAt(offset, buffer.AsSpan(0, 40_000));
                if (n == 0)
                    break;
                sha.AppendData(buffer, 0, n);
                offset += n;
            }
            Assert.Equal(tar.Length, offset);
            Assert.Equal(layer.TarSize, offset);
            Assert.Equal(layer.DiffId, Digest.FromHash(sha.GetHashAndReset()));
        }
    }

    [Fact]
    public void The_image_config_and_manifest_are_kept_byte_for_byte()
    {
        using var dir = new TempDir();
        using var store = ImageStore.Open(dir.Combine("store"));
        store.Import(Repo.Corpus("edge"), new ImportOptions());
        var image = store.Resolve("edge:latest");
        var config = store.ReadConfig(image);
        var manifest = store.ReadManifest(image);
        Assert.Equal(File.ReadAllBytes(Repo.Corpus("edge/blobs/sha256/" + image.Id.Hex)), config);
        Assert.Equal(File.ReadAllBytes(Repo.Corpus("edge/blobs/sha256/" + image.ManifestDigest.Hex)), manifest);
    }

    [Fact]
    public void Oci_layout_oci_archive_and_docker_archive_share_layers()
    {
        using var dir = new TempDir();
        using var store = ImageStore.Open(dir.Combine("store"));
        var first = store.Import(Repo.Corpus("edge"), new ImportOptions());
        Assert.Equal(5, first.LayersNew);
        var archive = store.Import(Repo.Corpus("edge.oci-archive.tar"), new ImportOptions());
        Assert.Equal(0, archive.LayersNew);
        Assert.Equal(0, archive.FilesNew);
        var docker = store.Import(Repo.Corpus("edge.docker.tar"), new ImportOptions());
        // Same layer tars (diff_ids): no layer is indexed again.
        Assert.Equal(0, docker.LayersNew);
        Assert.Equal(5, store.Layers().Count);
    }

    [Fact]
    public void Importing_the_same_image_twice_stores_nothing_new()
    {
        using var dir = new TempDir();
        var root = dir.Combine("store");
        using var store = ImageStore.Open(root);
        store.Import(Repo.Corpus("busybox"), new ImportOptions());
        var before = StoreSnapshot.Take(root);
        var again = store.Import(Repo.Corpus("busybox"), new ImportOptions());
        Assert.False(again.Images[0].New);
        Assert.Equal(0, again.FilesNew);
        var diff = StoreSnapshot.Diff(before, StoreSnapshot.Take(root)).Where(d => !d.EndsWith("index.db", StringComparison.Ordinal)).ToList();
        Assert.Empty(diff);
    }
}
