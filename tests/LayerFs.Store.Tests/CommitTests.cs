using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using LayerFs.Store.Commit;
using LayerFs.Store.Import;
using LayerFs.Store.Index;
using LayerFs.Store.Tests.Support;
using LayerFs.Store.Views;
using LayerFs.Tar;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Store.Tests;

/// <summary>
/// `layerfs commit` on change lists the tests make themselves (so the committer is tested apart
/// from the snapshotters): every entry type survives into the new layer and back out of the
/// index, the layer is deterministic and stored once, the config gains a history entry, and a
/// failed commit leaves the store byte for byte as it was.
/// </summary>
public sealed class CommitTests : IDisposable
{
    private static readonly DateTimeOffset When = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    /// <summary>security.capability for cap_net_bind_service+ep (VFS_CAP_REVISION_2).</summary>
    private static readonly byte[] NetBindCapability = Convert.FromHexString("0100000200040000000000000000000000000000");

    private readonly TempDir _dir = new("layerfs-commit");
    private readonly ListSnapshotter _snapshotter = new();
    private readonly ImageStore _store;

    public CommitTests()
    {
        _store = ImageStore.Open(StoreRoot);
        _store.Import(Repo.Corpus("busybox"), new ImportOptions());
        _store.CreateView("dev", "busybox:latest", _snapshotter);
        Directory.CreateDirectory(Source);
    }

    private string StoreRoot => _dir.Combine("store");

    /// <summary>Where the tests make the files a view would hold.</summary>
    private string Source => _dir.Combine("src");

    private string At(string path) => Path.Combine(Source, path);

    private CommitResult Commit(string name = "busybox:patched", string? message = null, DateTimeOffset? created = null) =>
        _store.Commit("dev", name, message, _ => _snapshotter, created ?? When);

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Every_entry_type_round_trips_through_the_store()
    {
        var changes = PrepareEveryKind();
        _snapshotter.Changes = changes;
        var result = Commit();

        // The new image is the parent's layers plus one, whose rebuilt tar hashes to its diff_id.
        var parent = _store.Resolve("busybox:latest");
        var image = _store.Resolve("busybox:patched");
        Assert.Equal(result.ImageId, image.Id);
        Assert.Equal([.. parent.Layers.Select(l => l.DiffId), result.DiffId], image.Layers.Select(l => l.DiffId));
        Assert.Equal(MediaTypesGzip(parent.ManifestMediaType), image.Layers[^1].MediaType);
        var tar = LayerBytes(result.DiffId);
        Assert.Equal(result.DiffId, Digest.Of(tar));
        Assert.Equal(result.TarSize, tar.Length);
        // The stored blob is the gzip of exactly that tar.
        Assert.Equal(tar, Gunzip(File.ReadAllBytes(_store.Content.PathOf(result.BlobDigest))));
        Assert.True(_store.Verify(null).Ok);

        var entries = ReadTar(tar);
        Assert.Equal(
        [
            "./", "bin/su2", "bin/.wh.vi", "dev/", "dev/fifo", "dev/loop9", "dev/null2", "dev/null3", "etc/", "etc/link", "etc/motd",
            "hard/", "hard/a", "hard/b", ".wh.home", LongName, "meta-only", "names/", "names/héllo",
            "root/", "root/.wh..wh..opq", "root/new", "run/", "xattr-file",
        ], entries.Select(e => e.Name));
        var byName = entries.ToDictionary(e => e.Name);

        var motd = byName["etc/motd"];
        Assert.Equal(TarEntryType.Regular, motd.Type);
        Assert.Equal("hello\n", Encoding.UTF8.GetString(motd.Data));
        Assert.Equal((0b110_100_100u, 1000L, 2000L), (motd.Mode, motd.Uid, motd.Gid));
        Assert.Equal((1700000000L, 123456789), (motd.MTime, motd.MTimeNs));

        Assert.Equal((TarEntryType.Symlink, "motd"), (byName["etc/link"].Type, byName["etc/link"].Link));
        Assert.Equal((TarEntryType.Regular, "shared\n"), (byName["hard/a"].Type, Encoding.UTF8.GetString(byName["hard/a"].Data)));
        Assert.Equal((TarEntryType.HardLink, "hard/a"), (byName["hard/b"].Type, byName["hard/b"].Link));
        Assert.Equal((TarEntryType.CharDevice, 1, 3), (byName["dev/null2"].Type, byName["dev/null2"].Major, byName["dev/null2"].Minor));
        Assert.Equal((TarEntryType.BlockDevice, 7, 9), (byName["dev/loop9"].Type, byName["dev/loop9"].Major, byName["dev/loop9"].Minor));
        Assert.Equal((TarEntryType.HardLink, "dev/null2"), (byName["dev/null3"].Type, byName["dev/null3"].Link));
        Assert.Equal(TarEntryType.Fifo, byName["dev/fifo"].Type);
        Assert.Equal(0b100_111_101_101u, byName["bin/su2"].Mode);
        Assert.Equal(0b111_000_000u, byName["root/"].Mode);

        var xattrs = byName["xattr-file"].Xattrs;
        Assert.Equal("hi", Encoding.UTF8.GetString(xattrs["user.comment"]));
        Assert.Equal(new byte[] { 0, 1, 0xff }, xattrs["user.binary"]);
        Assert.Equal(NetBindCapability, xattrs["security.capability"]);

        // A metadata-only change: metadata from its source, content from where the content lives.
        var meta = byName["meta-only"];
        Assert.Equal("the lower content\n", Encoding.UTF8.GetString(meta.Data));
        Assert.Equal(0b110_000_000u, meta.Mode);

        // Whiteouts are empty files; the opaque marker comes right after its directory.
        Assert.All(entries.Where(e => e.Name.Contains(".wh.", StringComparison.Ordinal)), e => Assert.Equal((TarEntryType.Regular, 0), (e.Type, e.Data.Length)));

        // The index holds the layer as an import would: whiteout and opaque flags, one hard-link group, the xattrs.
        var layer = _store.Layers().Single(l => l.DiffId == result.DiffId);
        using var tree = new LayerTreeReader(_store.Layout);
        var root = tree.Get(layer.RootEntry)!;
        Assert.True(tree.Child(root.Id, "root"u8)!.IsOpaque);
        Assert.True(tree.Child(root.Id, ".wh.home"u8)!.IsWhiteout);
        var hard = tree.Child(root.Id, "hard"u8)!;
        var a = tree.Child(hard.Id, "a"u8)!;
        var b = tree.Child(hard.Id, "b"u8)!;
        Assert.Equal(a.Id, b.HardLink);
        Assert.Equal(a.Object, b.Object);
        Assert.Contains(tree.Xattrs(tree.Child(root.Id, "xattr-file"u8)!.Id), x => x.Key == "security.capability" && x.Value.SequenceEqual(NetBindCapability));
        Assert.Null(tree.Child(tree.Child(root.Id, "run"u8)!.Id, "sock"u8));
    }

    [Fact]
    public void The_same_changes_twice_give_the_same_layer_stored_once()
    {
        _snapshotter.Changes = PrepareEveryKind();
        var first = Commit("busybox:one");
        var blobs = Directory.GetFiles(_store.Layout.BlobsDir).Length;
        var objects = Directory.GetFiles(_store.Layout.ObjectsDir, "*", SearchOption.AllDirectories).Length;

        var second = Commit("busybox:two", created: When.AddHours(1));
        Assert.Equal(first.DiffId, second.DiffId);
        Assert.Equal(first.BlobDigest, second.BlobDigest);
        Assert.True(first.LayerNew);
        Assert.False(second.LayerNew);
        // A new config and manifest (the history entry has another time); no new layer blob or object.
        Assert.NotEqual(first.ImageId, second.ImageId);
        Assert.Equal(blobs + 2, Directory.GetFiles(_store.Layout.BlobsDir).Length);
        Assert.Equal(objects, Directory.GetFiles(_store.Layout.ObjectsDir, "*", SearchOption.AllDirectories).Length);
        Assert.Single(_store.Layers(), l => l.DiffId == first.DiffId);
        // The gzip header holds nothing of the moment or the file: no name, no comment, mtime 0.
        var header = File.ReadAllBytes(_store.Content.PathOf(first.BlobDigest))[..10];
        Assert.Equal(new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0 }, header[..8]);

        // At the same time, the whole image is the same: same id, nothing new at all.
        var before = StoreSnapshot.Take(StoreRoot);
        var again = Commit("busybox:one");
        Assert.Equal(first.ImageId, again.ImageId);
        Assert.All(StoreSnapshot.Diff(before, StoreSnapshot.Take(StoreRoot)), d => Assert.Equal("changed index.db", d));

        // Another store, the same parent and changes: the same bytes.
        using var other = ImageStore.Open(_dir.Combine("other-store"));
        other.Import(Repo.Corpus("busybox"), new ImportOptions());
        other.CreateView("dev", "busybox:latest", _snapshotter);
        var elsewhere = other.Commit("dev", "busybox:one", null, _ => _snapshotter, When);
        Assert.Equal(first.BlobDigest, elsewhere.BlobDigest);
        Assert.Equal(first.ImageId, elsewhere.ImageId);
    }

    [Fact]
    public void The_config_gains_a_history_entry_and_keeps_the_rest()
    {
        File.WriteAllText(At("new"), "x");
        _snapshotter.Changes = [new("new", ViewChangeKind.Added, At("new"))];
        var result = Commit(message: "add /new");

        var parent = JsonNode.Parse(_store.ReadConfig(_store.Resolve("busybox:latest")))!;
        var config = JsonNode.Parse(_store.ReadConfig(_store.Resolve("busybox:patched")))!;
        var history = config["history"]!.AsArray();
        Assert.Equal(parent["history"]!.AsArray().Count + 1, history.Count);
        var entry = history[^1]!;
        Assert.Equal("layerfs commit", entry["created_by"]!.GetValue<string>());
        Assert.Equal("add /new", entry["comment"]!.GetValue<string>());
        Assert.Equal(When, DateTimeOffset.Parse(entry["created"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(entry["created"]!.GetValue<string>(), config["created"]!.GetValue<string>());
        Assert.Equal(result.DiffId.ToString(), config["rootfs"]!["diff_ids"]!.AsArray()[^1]!.GetValue<string>());
        Assert.Equal(parent["config"]!.ToJsonString(), config["config"]!.ToJsonString());
        Assert.Equal(parent["architecture"]!.GetValue<string>(), config["architecture"]!.GetValue<string>());

        var image = _store.Resolve("busybox:patched");
        Assert.Equal(entry["created"]!.GetValue<string>(), image.Created);
    }

    [Theory]
    [InlineData("busybox.docker.tar", "localhost/corpus/busybox:latest")]
    [InlineData("edge", "edge:latest")]
    public void Commit_onto_docker_and_multi_layer_images_exports_and_verifies(string corpus, string tag)
    {
        // busybox.docker.tar has a docker manifest; edge has gzip, zstd and uncompressed layers.
        _store.Import(Repo.Corpus(corpus), new ImportOptions());
        _store.CreateView("other", tag, _snapshotter);
        File.WriteAllText(At("new"), "x");
        _snapshotter.Changes = [new("new", ViewChangeKind.Added, At("new")), new("files", ViewChangeKind.Deleted)];
        var result = _store.Commit("other", "committed:1", null, _ => _snapshotter, When);

        var parent = _store.Resolve(tag);
        var image = _store.Resolve("committed:1");
        Assert.Equal(parent.ManifestMediaType, image.ManifestMediaType);
        Assert.Equal(MediaTypesGzip(parent.ManifestMediaType), image.Layers[^1].MediaType);
        Assert.Equal(parent.Layers.Select(l => (l.BlobDigest, l.MediaType)), image.Layers.SkipLast(1).Select(l => (l.BlobDigest, l.MediaType)));
        Assert.True(_store.Verify("committed:1").Ok);

        // skopeo reads every blob of the export and checks it against the manifest.
        var archive = _dir.Combine("committed.tar");
        _store.Export("committed:1", archive, Export.ExportFormat.Oci);
        ProcessRunner.Run("skopeo", ["copy", "--quiet", $"oci-archive:{archive}", $"oci:{_dir.Combine("copied")}:x"], TimeSpan.FromMinutes(3)).EnsureSuccess();
        using var fresh = ImageStore.Open(_dir.Combine("fresh"));
        var reimported = fresh.Import(archive, new ImportOptions());
        Assert.Equal(result.ImageId, Assert.Single(reimported.Images).Id);
    }

    [Fact]
    public void An_existing_tag_moves_to_the_committed_image()
    {
        File.WriteAllText(At("new"), "x");
        _snapshotter.Changes = [new("new", ViewChangeKind.Added, At("new"))];
        var old = _store.Resolve("busybox:latest");
        var result = Commit("busybox:latest");
        Assert.Equal(result.ImageId, _store.Resolve("busybox:latest").Id);
        // The old image stays (the view is over it), without the name.
        Assert.Empty(_store.Images().Single(i => i.Id == old.Id).Tags);
        Assert.Equal(old.Id, _store.View("dev").ImageId);
    }

    [Fact]
    public void An_empty_change_list_commits_an_empty_layer()
    {
        _snapshotter.Changes = [];
        var result = Commit();
        Assert.Equal(1024, result.TarSize);
        Assert.Equal(result.DiffId, Digest.Of(new byte[1024]));
        Assert.True(_store.Verify(null).Ok);
    }

    public static TheoryData<string> BadChangeLists => ["duplicate", "below-deleted", "opaque-file", "no-source", "absolute", "dotdot", "missing-source", "root-deleted", "content-not-a-file"];

    [Theory]
    [MemberData(nameof(BadChangeLists))]
    public void A_bad_change_list_is_refused_and_the_store_is_unchanged(string breakage)
    {
        File.WriteAllText(At("f"), "content");
        Directory.CreateDirectory(At("d"));
        _snapshotter.Changes = breakage switch
        {
            "duplicate" => [new("f", ViewChangeKind.Added, At("f")), new("f", ViewChangeKind.Changed, At("f"))],
            "below-deleted" => [new("d", ViewChangeKind.Deleted), new("d/f", ViewChangeKind.Added, At("f"))],
            "opaque-file" => [new("f", ViewChangeKind.Added, At("f"), Opaque: true)],
            "no-source" => [new("f", ViewChangeKind.Added)],
            "absolute" => [new("/f", ViewChangeKind.Added, At("f"))],
            "dotdot" => [new("d/../../f", ViewChangeKind.Added, At("f"))],
            "missing-source" => [new("f", ViewChangeKind.Added, At("f")), new("g", ViewChangeKind.Added, At("not-there"))],
            "root-deleted" => [new("", ViewChangeKind.Deleted)],
            "content-not-a-file" => [new("f", ViewChangeKind.Changed, At("f"), ContentPath: "/dev/zero")],
            _ => throw new ArgumentOutOfRangeException(nameof(breakage)),
        };
        AssertRefused(() => Commit(), "");
    }

    [Fact]
    public void A_commit_that_fails_midway_leaves_the_store_byte_identical()
    {
        // Enough new content that objects and the blob are on their way when the snapshotter fails.
        _snapshotter.Changes = PrepareEveryKind();
        _snapshotter.Failure = new StoreException("the view went away");
        _snapshotter.FailAfter = _snapshotter.Changes.Count - 1;
        AssertRefused(() => Commit(), "the view went away");
        _snapshotter.Failure = null;
        AssertRefused(() => Commit("Bad Name!"), "invalid image name");
    }

    [Fact]
    public void An_unknown_view_is_refused()
    {
        AssertRefused(() => _store.Commit("nope", "x:y", null, _ => _snapshotter), "no view 'nope'");
        AssertRefused(() => _store.ViewChanges("nope", _ => _snapshotter), "no view 'nope'");
    }

    private void AssertRefused(Action action, string expected)
    {
        var before = StoreSnapshot.Take(StoreRoot);
        var images = _store.Images().Count;
        var error = Assert.ThrowsAny<StoreException>(action);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Empty(StoreSnapshot.Diff(before, StoreSnapshot.Take(StoreRoot)));
        Assert.Equal(images, _store.Images().Count);
    }

    private const string LongName = "long/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    /// <summary>
    /// Files of every kind a view can hold, and the changes that report them (in an order other
    /// than the canonical one, which the committer must not depend on).
    /// </summary>
    private List<ViewChange> PrepareEveryKind()
    {
        void Sh(string script) => ProcessRunner.Shell(script, cwd: Source).EnsureSuccess();
        Sh("""
            set -e
            chmod 0755 .
            mkdir -p bin dev etc hard long names root run
            printf 'hello\n' > etc/motd && chown 1000:2000 etc/motd && chmod 0644 etc/motd
            touch -d @1700000000.123456789 etc/motd
            ln -s motd etc/link
            printf 'shared\n' > hard/a && ln hard/a hard/b
            mknod dev/null2 c 1 3 && ln dev/null2 dev/null3 && mknod dev/loop9 b 7 9 && mkfifo dev/fifo
            printf '#!/bin/sh\n' > bin/su2 && chmod 4755 bin/su2
            printf 'x' > xattr-file
            setfattr -n user.comment -v hi xattr-file
            setfattr -n user.binary -v 0x0001ff xattr-file
            setfattr -n security.capability -v 0x0100000200040000000000000000000000000000 xattr-file
            : > meta-only && chmod 0600 meta-only
            printf 'the lower content\n' > lower-content
            chmod 0700 root && printf 'new\n' > root/new
            printf 'x' > 'names/héllo'
            """);
        File.WriteAllText(At(LongName), "long\n");
        ProcessRunner.Run("python3", ["-c", "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])", At("run/sock")]).EnsureSuccess();
        ViewChange Add(string path) => new(path, ViewChangeKind.Added, At(path));
        return
        [
            Add("xattr-file"),
            new("", ViewChangeKind.Changed, Source),
            Add("etc/motd"), new("etc", ViewChangeKind.Changed, At("etc")), Add("etc/link"),
            Add("hard"), Add("hard/b"), Add("hard/a"),
            Add("dev"), Add("dev/null3"), Add("dev/null2"), Add("dev/loop9"), Add("dev/fifo"),
            Add("bin/su2"), new("bin/vi", ViewChangeKind.Deleted),
            new("home", ViewChangeKind.Deleted),
            new("root", ViewChangeKind.Changed, At("root"), Opaque: true), Add("root/new"),
            new("meta-only", ViewChangeKind.Changed, At("meta-only"), ContentPath: At("lower-content")),
            Add("names"), Add("names/héllo"),
            Add(LongName),
            Add("run"), Add("run/sock"),
        ];
    }

    private static string MediaTypesGzip(string manifestType) =>
        manifestType == Oci.MediaTypes.DockerManifest ? Oci.MediaTypes.DockerLayerGzip : Oci.MediaTypes.OciLayerGzip;

    private byte[] LayerBytes(Digest diffId)
    {
        using var buffer = new MemoryStream();
        _store.LayerTar(diffId).CopyTo(buffer);
        return buffer.ToArray();
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    private sealed record TarItem(string Name, TarEntryType Type, uint Mode, long Uid, long Gid, long MTime, int MTimeNs, int Major, int Minor, string Link, Dictionary<string, byte[]> Xattrs, byte[] Data);

    private static List<TarItem> ReadTar(byte[] tar)
    {
        using var reader = new TarReader(new MemoryStream(tar));
        var items = new List<TarItem>();
        while (reader.Next() is { } e)
        {
            var data = new byte[e.Size];
            reader.Data.ReadExactly(data);
            items.Add(new TarItem(Encoding.UTF8.GetString(e.Name), e.Type, e.Mode, e.Uid, e.Gid, e.MTimeSeconds, e.MTimeNanoseconds, e.DevMajor, e.DevMinor,
                Encoding.UTF8.GetString(e.LinkName), e.Xattrs.ToDictionary(x => x.Key, x => x.Value), data));
        }
        return items;
    }
}
