using System.Text;
using LayerFs.Mount.Daemon;
using LayerFs.Mount.Tests.Support;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Mount.Tests;

/// <summary>A mounted store that changes: imports, tags and removals show at once; open files survive removal.</summary>
public sealed class LiveStoreTests
{
    private static List<string> Names(string dir) => [.. Directory.GetFileSystemEntries(dir).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal)];

    [Fact]
    public void Imports_tags_and_removals_show_under_images_at_once()
    {
        using var store = new TestStore();
        store.AddCorpus("busybox");
        using var mount = new InProcessMount(store.Root);
        var images = mount.Combine("images");
        Assert.Equal(["busybox:latest"], Names(images));
        var layersBefore = Names(mount.Combine("layers")).Count;

        store.AddCorpus("edge");
        Assert.Equal(["busybox:latest", "edge:latest"], Names(images));
        Assert.Equal("hello world\n", File.ReadAllText(mount.Combine("images", "edge:latest", "rootfs", "files", "hello.txt")));
        Assert.Equal(layersBefore + 5, Names(mount.Combine("layers")).Count);

        store.Store.Tag("edge:latest", "example.com/team/edge:v1");
        Assert.Equal(["busybox:latest", "edge:latest", "example.com"], Names(images));
        Assert.True(Directory.Exists(mount.Combine("images", "example.com", "team", "edge:v1", "rootfs", "files")));

        store.Store.Remove("example.com/team/edge:v1");
        Assert.False(Directory.Exists(mount.Combine("images", "example.com", "team", "edge:v1")));
        Assert.False(Directory.Exists(mount.Combine("images", "example.com")));

        // Retag busybox:latest to the edge image: the same name now shows the other image.
        store.Store.Tag("edge:latest", "busybox:latest");
        Assert.True(File.Exists(mount.Combine("images", "busybox:latest", "rootfs", "files", "hello.txt")));
        Assert.False(File.Exists(mount.Combine("images", "busybox:latest", "rootfs", "bin", "busybox")));

        // The busybox image lost its last tag but stays (untagged); removing edge by id takes its layers.
        store.Store.Remove(store.Store.Resolve("edge:latest").Id.Hex);
        Assert.Empty(Names(images));
        Assert.Equal(layersBefore, Names(mount.Combine("layers")).Count);
    }

    [Fact]
    public void An_open_layer_tar_reads_to_its_diff_id_while_its_image_is_removed()
    {
        using var store = new TestStore();
        store.AddCorpus("edge");
        // The layer with the 64 MiB file: far more than the kernel reads ahead before the removal.
        var layer = store.Store.Resolve("edge:latest").Layers.MaxBy(l => l.TarSize)!;
        using var mount = new InProcessMount(store.Root);
        var path = mount.Combine("layers", layer.ChainId.Hex, "layer.tar");
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None))
        {
            var buffer = new byte[1 << 16];
            file.ReadExactly(buffer.AsSpan(0, 512));
            sha.AppendData(buffer, 0, 512);

            store.Store.Remove("edge:latest");
            Assert.False(Directory.Exists(mount.Combine("layers", layer.ChainId.Hex)));

            int n;
            while ((n = file.Read(buffer)) > 0)
                sha.AppendData(buffer, 0, n);
        }
        Assert.Equal(layer.DiffId.Hex, Convert.ToHexStringLower(sha.GetHashAndReset()));
        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_file_open_while_its_image_is_removed_reads_on_until_closed(bool passthrough)
    {
        using var store = new TestStore();
        store.AddCorpus("edge");
        using var mount = new InProcessMount(store.Root, new MountSettings { Passthrough = passthrough });
        var path = mount.Combine("images", "edge:latest", "rootfs", "files", "zero-64M.bin");
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None))
        {
            var head = new byte[5];
            file.ReadExactly(head);
            Assert.Equal("BEGIN", Encoding.ASCII.GetString(head));

            store.Store.Remove("edge:latest");
            Assert.False(Directory.Exists(mount.Combine("images", "edge:latest")));

            var middle = new byte[6];
            file.Position = 32 << 20;
            file.ReadExactly(middle);
            Assert.Equal("MIDDLE", Encoding.ASCII.GetString(middle));
            var tail = new byte[4];
            file.Position = file.Length - 4;
            file.ReadExactly(tail);
            Assert.Equal("END\n", Encoding.ASCII.GetString(tail));
            Assert.Equal(64L << 20, file.Length);
        }
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Chroot_runs_busybox_from_a_rootfs_mounted_with_suid_and_dev()
    {
        using var store = new TestStore();
        store.AddCorpus("busybox");
        using var mount = new InProcessMount(store.Root, new MountSettings { Suid = true, Dev = true });
        var rootfs = mount.Combine("images", "busybox:latest", "rootfs");
        var result = ProcessRunner.Run("chroot", [rootfs, "/bin/sh", "-c", "echo hi from $(cat /etc/passwd | head -1 | cut -d: -f1); ls /bin | wc -l"], TimeSpan.FromMinutes(1)).EnsureSuccess();
        Assert.Equal("hi from root\n269\n", result.Stdout);
    }
}
