using System.IO.Compression;
using System.Text.Json;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Tar.Tests;

/// <summary>
/// The bit-exact property on real images: for every layer of the corpus, RawBefore + data per
/// entry + Trailer must hash to the layer's diff_id (what docker, containerd and umoci check).
/// </summary>
public sealed class CorpusTests
{
    private sealed record Layer(string MediaType, string BlobPath, string DiffId);

    private static List<Layer> OciLayers(string layout)
    {
        string Blob(string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
        var manifestDigest = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Blob(manifestDigest)));
        var configDigest = manifest.RootElement.GetProperty("config").GetProperty("digest").GetString()!;
        using var config = JsonDocument.Parse(File.ReadAllBytes(Blob(configDigest)));
        var diffIds = config.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()!).ToList();
        var layers = manifest.RootElement.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(diffIds.Count, layers.Count);
        return layers.Select((l, i) => new Layer(l.GetProperty("mediaType").GetString()!, Blob(l.GetProperty("digest").GetString()!), diffIds[i])).ToList();
    }

    private static Stream OpenUncompressed(Layer layer)
    {
        var file = File.OpenRead(layer.BlobPath);
        if (layer.MediaType.EndsWith("+gzip", StringComparison.Ordinal))
            return new GZipStream(file, CompressionMode.Decompress);
        if (layer.MediaType.EndsWith("+zstd", StringComparison.Ordinal))
            return new ZstdSharp.DecompressionStream(file, leaveOpen: false);
        return file;
    }

    [Theory]
    [InlineData("busybox")]
    [InlineData("edge")]
    public void Every_layer_of_an_OCI_layout_reassembles_to_its_diff_id(string image)
    {
        var layers = OciLayers(Repo.Corpus(image));
        Assert.NotEmpty(layers);
        foreach (var layer in layers)
        {
            using var stream = OpenUncompressed(layer);
            var result = TarReadAll.Read(stream);
            Assert.NotEmpty(result.Entries);
            Assert.Equal(layer.DiffId, "sha256:" + result.ReassemblySha256);
        }
    }

    [Fact]
    public void The_corpus_covers_gzip_zstd_and_plain_layers()
    {
        var types = OciLayers(Repo.Corpus("edge")).Select(l => l.MediaType).ToHashSet();
        Assert.Contains("application/vnd.oci.image.layer.v1.tar+gzip", types);
        Assert.Contains("application/vnd.oci.image.layer.v1.tar+zstd", types);
        Assert.Contains("application/vnd.oci.image.layer.v1.tar", types);
    }

    [Fact]
    public void Reading_through_tiny_irregular_reads_gives_the_same_entries_and_bytes()
    {
        // GZipStream and zstd hand out whatever they have; the reader must not care where reads end.
        foreach (var layer in OciLayers(Repo.Corpus("edge")).Where(l => !l.MediaType.EndsWith("gzip", StringComparison.Ordinal) || new FileInfo(l.BlobPath).Length < 100_000))
        {
            ReadResult normal, trickled;
            using (var s = OpenUncompressed(layer))
                normal = TarReadAll.Read(s);
            using (var s = new TrickleStream(OpenUncompressed(layer), seed: 7))
                trickled = TarReadAll.Read(s, chunk: 3);
            Assert.Equal(normal.ReassemblySha256, trickled.ReassemblySha256);
            Assert.Equal(normal.Entries.Select(e => (e.Name, e.Entry.Size, e.DataSha256)), trickled.Entries.Select(e => (e.Name, e.Entry.Size, e.DataSha256)));
            Assert.Equal(layer.DiffId, "sha256:" + trickled.ReassemblySha256);
        }
    }

    [Fact]
    public void Edge_layers_read_as_umoci_wrote_them()
    {
        var layers = OciLayers(Repo.Corpus("edge"));
        ReadResult Read(int i)
        {
            using var s = OpenUncompressed(layers[i]);
            return TarReadAll.Read(s);
        }

        var base1 = Read(0);
        var big = base1.Single("files/zero-64M.bin");
        Assert.Equal(TarEntryType.Regular, big.Entry.Type);
        Assert.Equal(64L << 20, big.Entry.Size);
        // GNU tar is the independent oracle for the content.
        var gnuTarSha = ProcessRunner.Shell($"zcat '{layers[0].BlobPath}' | tar -xOf - files/zero-64M.bin | sha256sum").EnsureSuccess().Stdout[..64];
        Assert.Equal(gnuTarSha, big.DataSha256);
        Assert.Equal(513, base1.Single("files/block-513").Entry.Size);
        Assert.Equal(0u, base1.Single("files/no-perms").Entry.Mode);
        Assert.Equal(0x1a4u, base1.Single("files/hello.txt").Entry.Mode); // 0644
        var hardA = base1.Single("hard/a").Entry;
        Assert.Equal(TarEntryType.HardLink, hardA.Type);
        Assert.Equal("files/hard-c", System.Text.Encoding.UTF8.GetString(hardA.LinkName));
        Assert.Equal(0, hardA.Size);
        Assert.Equal(TarEntryType.Directory, base1.Single("files/").Entry.Type);
        Assert.Equal(1700000000L, base1.Single("files/").Entry.MTimeSeconds);

        var changes = Read(1);
        Assert.Equal(1000L, changes.Single("files/chown-me").Entry.Uid);
        Assert.Equal(TarEntryType.Symlink, changes.Single("files/will-become-link").Entry.Type);
        Assert.Equal("hello.txt", changes.Single("files/will-become-link").LinkName);
        Assert.Equal(0x3ffu, changes.Single("perm/tmp/").Entry.Mode); // 01777
        var whiteout = changes.Single("files/.wh.delete-me.txt").Entry;
        Assert.Equal(TarEntryType.Regular, whiteout.Type);
        Assert.Equal(0L, whiteout.Size);

        Assert.Contains(Read(2).Entries, e => e.Name == "opaque/.wh..wh..opq");
    }

    [Theory]
    [InlineData("edge.docker.tar")]
    [InlineData("busybox.docker.tar")]
    public void Docker_archive_and_its_nested_layers_reassemble_bit_exact(string archive)
    {
        var path = Repo.Corpus(archive);
        var expected = File.ReadAllLines(Repo.Corpus("SHA256SUMS")).Select(l => l.Split("  ")).Single(p => p[1] == archive)[0];

        // The outer archive itself (written by docker/skopeo) is a tar too.
        using (var f = File.OpenRead(path))
            Assert.Equal(expected, TarReadAll.Read(f).ReassemblySha256);

        // Each layer, read straight out of the outer reader's Data (nested readers, no temp files).
        // docker save names every layer file by its diff_id: "<hex>.tar".
        using var f2 = File.OpenRead(path);
        using var outer = new TarReader(f2);
        byte[]? manifest = null;
        var layerHashes = new Dictionary<string, string>();
        while (outer.Next() is { } entry)
        {
            var name = System.Text.Encoding.UTF8.GetString(entry.Name);
            if (name == "manifest.json")
            {
                var ms = new MemoryStream();
                outer.Data.CopyTo(ms);
                manifest = ms.ToArray();
            }
            else if (entry.Type == TarEntryType.Regular && name.EndsWith(".tar", StringComparison.Ordinal))
            {
                layerHashes[name] = TarReadAll.Read(outer.Data).ReassemblySha256;
            }
        }
        Assert.NotNull(manifest);
        using var doc = JsonDocument.Parse(manifest);
        var layerNames = doc.RootElement[0].GetProperty("Layers").EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.NotEmpty(layerNames);
        foreach (var layerName in layerNames)
            Assert.Equal(layerName[..^".tar".Length], layerHashes[layerName]);
    }

    [Fact]
    public void Edge_docker_archive_layers_hash_to_the_config_diff_ids()
    {
        var diffIds = OciLayers(Repo.Corpus("edge")).Select(l => l.DiffId["sha256:".Length..]).ToList();
        var found = new List<string>();
        using var f = File.OpenRead(Repo.Corpus("edge.docker.tar"));
        using var outer = new TarReader(f);
        while (outer.Next() is { } entry)
            if (entry.Type == TarEntryType.Regular && System.Text.Encoding.UTF8.GetString(entry.Name).EndsWith(".tar", StringComparison.Ordinal))
                found.Add(TarReadAll.Read(outer.Data).ReassemblySha256);
        Assert.Equal(diffIds.Order(), found.Order());
    }

    [Fact]
    public void OCI_archive_reassembles_bit_exact()
    {
        var expected = File.ReadAllLines(Repo.Corpus("SHA256SUMS")).Select(l => l.Split("  ")).Single(p => p[1] == "edge.oci-archive.tar")[0];
        using var f = File.OpenRead(Repo.Corpus("edge.oci-archive.tar"));
        Assert.Equal(expected, TarReadAll.Read(f).ReassemblySha256);
    }
}
