using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Cli.Tests;

/// <summary>
/// Where the kernel has no device-mapper (this project's machines: see ../shared/docs/design.md),
/// `view create --snapshotter devicemapper` fails at once with one line and changes nothing. The
/// snapshotter itself is tested in a guest that has device-mapper: `make test-dm`.
/// </summary>
public sealed class DeviceMapperUnavailableTests
{
    private static bool KernelHasDeviceMapper =>
        File.ReadAllText("/proc/misc").Contains("device-mapper", StringComparison.Ordinal)
        || File.ReadAllText("/proc/devices").Contains("device-mapper", StringComparison.Ordinal);

    [Fact]
    public void View_create_fails_with_one_clear_line_and_leaves_the_store_as_it_was()
    {
        Assert.False(KernelHasDeviceMapper, "this test expects a kernel without device-mapper; run make test-dm where it has one");
        using var store = new CliStore();
        store.Ok("import", Repo.ExampleImage, "--name", "busybox:latest");
        var before = StoreSnapshot.Take(store.Root);

        var result = store.Run("view", "create", "v", "--from", "busybox:latest", "--snapshotter", "devicemapper");

        Assert.NotEqual(0, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("layerfs: the devicemapper snapshotter needs device-mapper, and this kernel has none", line);
        Assert.Empty(StoreSnapshot.Diff(before, StoreSnapshot.Take(store.Root)));
        Assert.DoesNotContain("v ", store.Ok("view", "ls").Stdout);
    }
}
