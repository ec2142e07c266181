using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using LayerFs.Mount.Tests.Support;
using LayerFs.Store;
using Xunit;

namespace LayerFs.Mount.Tests;

/// <summary>
/// Garbage collection against a mounted store: `rmi` and `prune` never take what a program still
/// reads through the mount (an open file, a directory in use, a layer.tar being read), and free it
/// all once the mount lets go.
/// </summary>
public sealed class LeaseTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static int FileCount(string dir) => Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Length;

    [Fact]
    public void Prune_keeps_what_a_mount_still_reads_and_frees_it_after_unmount()
    {
        using var store = new TestStore();
        store.AddCorpus("edge");
        var image = store.Store.Resolve("edge:latest");
        var top = image.Layers[^1];
        var objects = Path.Combine(store.Root, "objects");
        var objectsBefore = FileCount(objects);

        var mount = new InProcessMount(store.Root);
        Process? shell = null;
        try
        {
            var big = new FileStream(mount.Combine("images", "edge:latest", "rootfs", "files", "zero-64M.bin"), FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            var tar = new FileStream(mount.Combine("layers", top.ChainId.Hex, "layer.tar"), FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            // A shell whose working directory is in the rootfs: it looks names up after the removal.
            shell = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "cd \"$1\" && echo ready && read x && cat hello.txt && ls", "sh", mount.Combine("images", "edge:latest", "rootfs", "files")])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            Assert.Equal("ready", shell.StandardOutput.ReadLine());
            Assert.True(mount.Mount.FileSystem.LeaseCount > 0);

            store.Store.Remove("edge:latest");
            var pruned = store.Store.Prune(dryRun: false);
            Assert.Empty(store.Store.Images());
            Assert.False(Directory.Exists(mount.Combine("images", "edge:latest")));
            Assert.True(pruned.LeasedChains >= image.Layers.Count, $"kept {pruned.LeasedChains} chains");
            Assert.Equal(objectsBefore, FileCount(objects));

            // The open file, the layer tar (rebuilt from rows and objects on every read) and
            // lookups from the shell's working directory all still give the image's bytes.
            var middle = new byte[6];
            big.Position = 32 << 20;
            big.ReadExactly(middle);
            Assert.Equal("MIDDLE", Encoding.ASCII.GetString(middle));
            Assert.Equal(top.DiffId.Hex, Convert.ToHexStringLower(SHA256.HashData(tar)));
            shell.StandardInput.WriteLine("go");
            Assert.Equal("hello world", shell.StandardOutput.ReadLine());
            Assert.Contains("zero-64M.bin", shell.StandardOutput.ReadToEnd(), StringComparison.Ordinal);
            Assert.True(shell.WaitForExit(Patience));
            Assert.Equal(0, shell.ExitCode);
            big.Dispose();
            tar.Dispose();
        }
        finally
        {
            if (shell is { HasExited: false })
                shell.Kill();
            shell?.Dispose();
            mount.Dispose();
        }

        // The mount is gone and with it every lease: prune now frees everything.
        Assert.Empty(Directory.GetFiles(Path.Combine(store.Root, "leases")));
        var after = store.Store.Prune(dryRun: false);
        Assert.Equal(0, after.LeasedChains);
        Assert.Equal(image.Layers.Count, after.Chains.Count);
        Assert.Equal(0, FileCount(objects));
        Assert.Empty(store.Store.Chains());
        Assert.True(store.Store.Verify(null).Ok);
    }

    [Fact]
    public void Closed_files_of_a_removed_image_give_their_leases_back_without_unmounting()
    {
        using var store = new TestStore();
        store.AddCorpus("edge");
        using var mount = new InProcessMount(store.Root);
        var image = store.Store.Resolve("edge:latest");
        Assert.Equal("hello world\n", File.ReadAllText(mount.Combine("images", "edge:latest", "rootfs", "files", "hello.txt")));
        using (var tar = File.OpenRead(mount.Combine("layers", image.Layers[0].ChainId.Hex, "layer.tar")))
            tar.ReadExactly(new byte[512]);
        Assert.True(mount.Mount.FileSystem.LeaseCount > 0);

        // rmi makes the mount drop the image's names; the kernel then forgets the unused nodes below.
        store.Store.Remove("edge:latest");
        Assert.True(Support.CliMount.WaitFor(() => mount.Mount.FileSystem.LeaseCount == 0, Patience), $"{mount.Mount.FileSystem.LeaseCount} leases still held");
        var pruned = store.Store.Prune(dryRun: false);
        Assert.Equal(0, pruned.LeasedChains);
        Assert.Empty(store.Store.Chains());
        Assert.Equal(0, FileCount(Path.Combine(store.Root, "objects")));
    }

    [Fact]
    public void A_lease_whose_holder_died_does_not_keep_anything()
    {
        using var store = new TestStore();
        store.AddCorpus("busybox");
        var image = store.Store.Resolve("busybox:latest");
        var leases = Path.Combine(store.Root, "leases");
        var lease = Path.Combine(leases, "held-by-flock");
        File.WriteAllText(lease, $"chain {image.Layers[^1].ChainId}\nblob {image.Id}\n");
        // flock(1) holds the lease as a mount daemon would, until it is killed.
        using var holder = Process.Start(new ProcessStartInfo("flock", ["--shared", "--no-fork", lease, "sleep", "600"]) { UseShellExecute = false })!;
        try
        {
            Assert.True(Support.CliMount.WaitFor(() => IsLocked(lease), Patience), "flock did not take the lease");
            store.Store.Remove("busybox:latest");
            var kept = store.Store.Prune(dryRun: false);
            Assert.Equal(1, kept.Leases);
            Assert.Equal(image.Layers.Count, kept.LeasedChains);
            Assert.NotEmpty(store.Store.Chains());
            Assert.True(File.Exists(store.Layout.BlobPath(image.Id)));

            holder.Kill();
            holder.WaitForExit();
            var freed = store.Store.Prune(dryRun: false);
            Assert.Equal(0, freed.Leases);
            Assert.Empty(store.Store.Chains());
            Assert.False(File.Exists(store.Layout.BlobPath(image.Id)));
            Assert.False(File.Exists(lease), "prune removes a dead lease");
            Assert.True(store.Store.Verify(null).Ok);
        }
        finally
        {
            if (!holder.HasExited)
                holder.Kill();
        }
    }

    /// <summary>Whether some process holds a flock on the file (flock -n fails while one does).</summary>
    private static bool IsLocked(string path) =>
        LayerFs.TestSupport.ProcessRunner.Run("flock", ["--nonblock", "--exclusive", path, "true"]).ExitCode != 0;
}
