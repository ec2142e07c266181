using System.Text;
using System.Text.Json.Nodes;
using LayerFs.Store;
using LayerFs.Store.Import;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Store.Tests;

/// <summary>
/// Archives made to break importers: each is refused with one clear line, and the store is
/// byte for byte what it was before (it already holds an image, so there is something to damage).
/// </summary>
public sealed class HostileInputTests : IClassFixture<HostileInputTests.Corpus>
{
    public sealed class Corpus : IDisposable
    {
        public Corpus()
        {
            ProcessRunner.Run("python3", [Path.Combine(AppContext.BaseDirectory, "Tools", "make_hostile.py"), Dir.Path], TimeSpan.FromMinutes(2)).EnsureSuccess();
        }

        public TempDir Dir { get; } = new("layerfs-hostile");

        public void Dispose() => Dir.Dispose();
    }

    private readonly Corpus _corpus;

    public HostileInputTests(Corpus corpus) => _corpus = corpus;

    public static TheoryData<string, string> PlainLayers => new()
    {
        { "dotdot.tar", "outside the layer" },
        { "absolute.tar", "absolute path" },
        { "inner-dotdot.tar", "outside the layer" },
        { "symlink-then-through.tar", "not a directory" },
        { "hardlink-outside.tar", "outside the layer" },
        { "hardlink-missing.tar", "hard link" },
        { "hardlink-to-dir.tar", "hard link to a directory" },
        { "duplicate.tar", "duplicate" },
        { "bare-whiteout.tar", ".wh." },
        { "device-out-of-range.tar", "device number" },
        { "truncated-data.tar", "truncated" },
        { "truncated-header.tar", "" },
        { "huge-size.tar", "" },
        { "bad-checksum.tar", "checksum" },
        { "negative-size.tar", "" },
        { "pax-overrun.tar", "" },
        { "nul-in-name.tar", "" },
        { "truncated.tar.gz", "" },
        { "corrupt.tar.gz", "" },
        { "truncated.tar.zst", "" },
        { "not-a-tar.tar", "" },
        { "symlink-up-then-through.tar", "not a directory" },
        { "symlink-inside-then-through.tar", "not a directory" },
        { "overflow-size.tar", "overflows" },
        { "not-octal-size.tar", "not an octal number" },
        { "overflow-mtime.tar", "overflows" },
        { "pax-endless.tar", "exceeds the limit" },
        { "pax-chain.tar", "extension headers before one entry exceed" },
    };

    [Theory]
    [MemberData(nameof(PlainLayers))]
    public void Hostile_layer_is_refused_and_the_store_is_unchanged(string file, string expectedInMessage)
    {
        AssertRefused(Path.Combine(_corpus.Dir.Path, file), expectedInMessage, new ImportOptions { Name = "hostile:latest" });
    }

    [Fact]
    public void Decompression_bomb_is_refused()
    {
        AssertRefused(Path.Combine(_corpus.Dir.Path, "bomb.tar.gz"), "decompression bomb",
            new ImportOptions { Name = "bomb:latest", BombFloor = 1 << 20, MaxCompressionRatio = 50 });
    }

    public static TheoryData<string, string> BrokenLayouts => new()
    {
        { "layer-digest", "does not match" },
        { "layer-size", "bytes" },
        { "manifest-size", "bytes" },
        { "diff-id", "diff_id" },
        { "unknown-media-type", "unknown media type" },
        { "index-self", "" },
        { "index-json", "not valid JSON" },
        { "missing-config", "missing" },
        { "manifest-digest", "does not match its content" },
        { "config-digest", "does not match its content" },
        { "config-size", "but its descriptor says" },
        { "unknown-manifest-media-type", "unknown media type" },
        { "ref-name-invalid-utf8", "not valid UTF-8" },
    };

    [Theory]
    [MemberData(nameof(BrokenLayouts))]
    public void Broken_oci_layout_is_refused_and_the_store_is_unchanged(string breakage, string expectedInMessage)
    {
        using var dir = new TempDir();
        var layout = dir.Combine("edge-copy");
        ProcessRunner.Run("cp", ["-a", Repo.Corpus("edge"), layout]).EnsureSuccess();
        ProcessRunner.Run("chmod", ["-R", "u+w", layout]).EnsureSuccess();
        Break(layout, breakage);
        AssertRefused(layout, expectedInMessage, new ImportOptions());
    }

    /// <summary>Linux names need not be UTF-8: such names are data, kept byte for byte, not refused.</summary>
    [Fact]
    public void Names_that_are_not_utf8_are_kept_byte_for_byte()
    {
        using var dir = new TempDir();
        var tar = dir.Combine("latin1.tar");
        var script = """
            import io, sys, tarfile
            with tarfile.open(sys.argv[1], "w", format=tarfile.USTAR_FORMAT, encoding="utf-8", errors="surrogateescape") as t:
                for name in (b"caf\xe9.txt", b"\xff\xfe"):
                    ti = tarfile.TarInfo(name.decode("utf-8", "surrogateescape")); ti.size = 3
                    t.addfile(ti, io.BytesIO(b"abc"))
            """;
        ProcessRunner.Run("python3", ["-c", script, tar]).EnsureSuccess();
        using var store = ImageStore.Open(dir.Combine("store"));
        store.Import(tar, new ImportOptions { Name = "latin1:latest" });
        var layer = store.Resolve("latin1:latest").Layers.Single();
        var rebuilt = new byte[store.LayerTar(layer.DiffId).Length];
        store.LayerTar(layer.DiffId).ReadAt(0, rebuilt);
        Assert.Equal(File.ReadAllBytes(tar), rebuilt);
        Assert.True(rebuilt.AsSpan().IndexOf(new byte[] { (byte)'c', (byte)'a', (byte)'f', 0xE9, (byte)'.' }) >= 0, "the Latin-1 name is not in the rebuilt tar");
        Assert.True(store.Verify(null).Ok);
    }

    private static void AssertRefused(string source, string expectedInMessage, ImportOptions options)
    {
        using var dir = new TempDir();
        var root = dir.Combine("store");
        using var store = ImageStore.Open(root);
        store.Import(Repo.Corpus("busybox"), new ImportOptions());
        var before = StoreSnapshot.Take(root);

        var error = Assert.ThrowsAny<StoreException>(() => store.Import(source, options));
        Assert.DoesNotContain('\n', error.Message);
        Assert.True(error.Message.Contains(expectedInMessage, StringComparison.OrdinalIgnoreCase), $"expected '{expectedInMessage}' in: {error.Message}");
        Assert.Empty(StoreSnapshot.Diff(before, StoreSnapshot.Take(root)));
        Assert.Single(store.Images());
        Assert.True(store.Verify(null).Ok);
    }

    private static long FirstContentByte(byte[] tar)
    {
        using var reader = new LayerFs.Tar.TarReader(new MemoryStream(tar));
        while (reader.Next() is { } entry)
            if (entry.Size > 0)
                return entry.DataOffset;
        throw new InvalidOperationException("no file with content in the layer");
    }

    private static JsonNode ReadJson(string path) => JsonNode.Parse(File.ReadAllBytes(path))!;

    private static string BlobPath(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);

    /// <summary>Writes a JSON blob into the layout and returns its descriptor fields.</summary>
    private static (string Digest, long Size) PutBlob(string layout, byte[] data)
    {
        var digest = Digest.Of(data).ToString();
        File.WriteAllBytes(BlobPath(layout, digest), data);
        return (digest, data.Length);
    }

    private static void Break(string layout, string breakage)
    {
        var indexPath = Path.Combine(layout, "index.json");
        var index = ReadJson(indexPath);
        var manifestDescriptor = index["manifests"]![0]!;
        var manifest = ReadJson(BlobPath(layout, manifestDescriptor["digest"]!.GetValue<string>()));
        var layer = manifest["layers"]![0]!;

        void SaveManifest()
        {
            var (digest, size) = PutBlob(layout, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
            manifestDescriptor["digest"] = digest;
            manifestDescriptor["size"] = size;
            File.WriteAllText(indexPath, index.ToJsonString());
        }

        switch (breakage)
        {
            case "layer-digest":
                // The third layer is an uncompressed tar: a changed byte of file content keeps
                // it a valid tar, so only the digest can catch it.
                var blob = BlobPath(layout, manifest["layers"]![2]!["digest"]!.GetValue<string>());
                var bytes = File.ReadAllBytes(blob);
                bytes[FirstContentByte(bytes)] ^= 0xFF;
                File.WriteAllBytes(blob, bytes);
                break;
            case "layer-size":
                layer["size"] = layer["size"]!.GetValue<long>() - 1;
                SaveManifest();
                break;
            case "manifest-size":
                manifestDescriptor["size"] = manifestDescriptor["size"]!.GetValue<long>() + 7;
                File.WriteAllText(indexPath, index.ToJsonString());
                break;
            case "diff-id":
                var configDescriptor = manifest["config"]!;
                var config = ReadJson(BlobPath(layout, configDescriptor["digest"]!.GetValue<string>()));
                config["rootfs"]!["diff_ids"]![0] = "sha256:" + new string('0', 64);
                var (cd, cs) = PutBlob(layout, Encoding.UTF8.GetBytes(config.ToJsonString()));
                configDescriptor["digest"] = cd;
                configDescriptor["size"] = cs;
                SaveManifest();
                break;
            case "unknown-media-type":
                layer["mediaType"] = "application/vnd.example.unknown";
                SaveManifest();
                break;
            case "index-self":
                // index.json points at a nested index that names itself.
                var fake = "sha256:" + new string('a', 64);
                var nested = new JsonObject
                {
                    ["schemaVersion"] = 2,
                    ["mediaType"] = "application/vnd.oci.image.index.v1+json",
                    ["manifests"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.index.v1+json", ["digest"] = fake, ["size"] = 10 }),
                };
                var nestedBytes = Encoding.UTF8.GetBytes(nested.ToJsonString());
                File.WriteAllBytes(BlobPath(layout, fake), nestedBytes);
                index["manifests"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.index.v1+json", ["digest"] = fake, ["size"] = nestedBytes.Length });
                File.WriteAllText(indexPath, index.ToJsonString());
                break;
            case "index-json":
                File.WriteAllText(indexPath, "{\"schemaVersion\": 2, \"manifests\": [");
                break;
            case "manifest-digest":
                // The manifest's bytes change, its descriptor does not.
                var manifestBlob = BlobPath(layout, manifestDescriptor["digest"]!.GetValue<string>());
                File.WriteAllBytes(manifestBlob, [.. File.ReadAllBytes(manifestBlob), (byte)' ']);
                manifestDescriptor["size"] = manifestDescriptor["size"]!.GetValue<long>() + 1;
                File.WriteAllText(indexPath, index.ToJsonString());
                break;
            case "config-digest":
                var configBlob = BlobPath(layout, manifest["config"]!["digest"]!.GetValue<string>());
                var configBytes = File.ReadAllBytes(configBlob);
                configBytes[^1] = configBytes[^1] == (byte)'}' ? (byte)' ' : (byte)'}';
                File.WriteAllBytes(configBlob, [.. configBytes, (byte)'}']);
                manifest["config"]!["size"] = configBytes.Length + 1;
                SaveManifest();
                break;
            case "config-size":
                manifest["config"]!["size"] = manifest["config"]!["size"]!.GetValue<long>() * 1000;
                SaveManifest();
                break;
            case "unknown-manifest-media-type":
                manifestDescriptor["mediaType"] = "application/vnd.example.manifest+json";
                File.WriteAllText(indexPath, index.ToJsonString());
                break;
            case "ref-name-invalid-utf8":
                // Raw bytes that are not UTF-8 in the tag the index gives the image.
                manifestDescriptor["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = "PLACEHOLDER" };
                var text = Encoding.UTF8.GetBytes(index.ToJsonString());
                var at = text.AsSpan().IndexOf("PLACEHOLDER"u8);
                File.WriteAllBytes(indexPath, [.. text[..at], 0xFF, 0xFE, (byte)'x', .. text[(at + "PLACEHOLDER".Length)..]]);
                break;
            case "missing-config":
                File.Delete(BlobPath(layout, manifest["config"]!["digest"]!.GetValue<string>()));
                break;
            default:
                throw new ArgumentException(breakage);
        }
    }
}
