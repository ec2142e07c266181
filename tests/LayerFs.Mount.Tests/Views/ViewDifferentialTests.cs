using System.Globalization;
using LayerFs.Mount.Views;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Mount.Tests.Views;

/// <summary>
/// The differential test: seeded random POSIX operations (tests/views/posix_ops.py) applied to a
/// view and to a plain directory holding the same image (cp -a of the read-only rootfs), which
/// must give the same results, and the two trees compared entry by entry after each batch and
/// after an unmount and remount. LAYERFS_VIEW_OPS sets the operations per batch (default 750,
/// two batches per image); LAYERFS_VIEW_SEED the first seed.
/// </summary>
public sealed class ViewDifferentialTests
{
    private static string Engine => Path.Combine(Repo.Root, "tests", "views", "posix_ops.py");

    private static int Env(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    [Theory]
    [InlineData("busybox", 100)]
    [InlineData("edge", 200)]
    public void Random_operations_do_the_same_in_a_view_as_in_an_unpacked_image(string image, int seedBase)
    {
        var ops = Env("LAYERFS_VIEW_OPS", 750);
        var seed = Env("LAYERFS_VIEW_SEED", seedBase);
        using var view = new ViewMount(image);
        var plain = view.Cli.Combine("plain");
        try
        {
            ProcessRunner.Run("cp", ["-a", view.ImageRootfs, plain], TimeSpan.FromMinutes(2)).EnsureSuccess();
            var replay = new List<string>();
            for (var batch = 0; batch < 2; batch++)
            {
                var args = new[] { Engine, "--seed", (seed + batch).ToString(CultureInfo.InvariantCulture), "--ops", ops.ToString(CultureInfo.InvariantCulture), view.Rootfs, plain };
                replay.Add(string.Join(' ', args));
                var run = ProcessRunner.Run("python3", args, TimeSpan.FromMinutes(30));
                Assert.True(run.ExitCode == 0, $"{run.Stderr}\nbatches so far:\n{string.Join('\n', replay)}");
            }
            view.Remount();
            var compare = ProcessRunner.Run("python3", [Engine, "--compare", view.Rootfs, plain], TimeSpan.FromMinutes(10));
            Assert.True(compare.ExitCode == 0, $"after remount: {compare.Stderr}\nbatches:\n{string.Join('\n', replay)}");
        }
        finally
        {
            HostTree.Delete(plain);
        }
    }
}
