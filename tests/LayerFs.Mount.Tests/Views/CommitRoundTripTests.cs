using System.Globalization;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Mount.Tests.Views;

/// <summary>
/// Commit round-trip over the corpus images: seeded random POSIX operations change a view, the
/// view is committed, and the new image, mounted, must show exactly the view's rootfs (entry by
/// entry: type, mode, owner, size, mtime, content, symlink targets, xattrs, hard-link groups).
/// Committing the same change again must give the same layer, stored once.
/// </summary>
public sealed class CommitRoundTripTests
{
    private static string Engine => Path.Combine(Repo.Root, "tests", "views", "posix_ops.py");

    [Theory]
    [InlineData("busybox", 300)]
    [InlineData("edge", 400)]
    public void A_committed_view_mounts_as_the_same_tree(string image, int seed)
    {
        using var view = new ViewMount(image);
        var plain = view.Cli.Combine("plain");
        try
        {
            // The engine changes both trees the same way; only the view matters here.
            ProcessRunner.Run("cp", ["-a", view.ImageRootfs, plain], TimeSpan.FromMinutes(2)).EnsureSuccess();
            var ops = ProcessRunner.Run("python3", [Engine, "--readable-xattrs", "--seed", seed.ToString(CultureInfo.InvariantCulture), "--ops", "600", view.Rootfs, plain], TimeSpan.FromMinutes(20));
            Assert.True(ops.ExitCode == 0, ops.Stderr);

            var first = view.Cli.Run("commit", view.View, "roundtrip:one", "-m", "round trip").EnsureSuccess();
            Assert.Contains("committed roundtrip:one", first.Stdout);
            var committed = Path.Combine(view.Cli.Mountpoint, "images", "roundtrip:one", "rootfs");
            var compare = ProcessRunner.Run("python3", [Engine, "--compare", view.Rootfs, committed], TimeSpan.FromMinutes(10));
            Assert.True(compare.ExitCode == 0, $"seed {seed}: the committed image differs from the view: {compare.Stderr}{compare.Stdout}");

            // The same change onto the same parent: the same layer, not stored twice.
            var second = view.Cli.Run("commit", view.View, "roundtrip:two").EnsureSuccess();
            Assert.Contains("already in the store", second.Stdout);
            var history = view.Cli.Run("history", "roundtrip:one").EnsureSuccess();
            Assert.Contains("round trip", history.Stdout);
        }
        finally
        {
            LayerFs.Mount.Views.HostTree.Delete(plain);
        }
    }
}
