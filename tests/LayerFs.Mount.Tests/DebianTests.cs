using LayerFs.Mount.Daemon;
using LayerFs.Mount.Tests.Support;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Mount.Tests;

/// <summary>The debian corpus image mounted with suid,dev, once for the class, and its umoci reference.</summary>
public sealed class DebianFixture : IDisposable
{
    public DebianFixture()
    {
        Layout = DebianCorpus.Locate();
        Store = new TestStore();
        Store.Store.Import(Layout, new LayerFs.Store.Import.ImportOptions());
        Mount = new InProcessMount(Store.Root, new MountSettings { Suid = true, Dev = true }, TimeSpan.FromMinutes(20));
        var work = Store.TempPath("reference");
        Directory.CreateDirectory(work);
        Reference = ReferenceUnpack.Unpack($"oci:{Layout}:latest", work);
    }

    public string Layout { get; }

    public TestStore Store { get; }

    public InProcessMount Mount { get; }

    public string Reference { get; }

    public string Rootfs => Mount.Combine("images", "debian:latest", "rootfs");

    public void Dispose()
    {
        Mount.Dispose();
        Store.Dispose();
    }
}

public sealed class DebianTests : IClassFixture<DebianFixture>
{
    private readonly DebianFixture _fixture;

    public DebianTests(DebianFixture fixture) => _fixture = fixture;

    [Fact]
    public void Rootfs_is_what_the_layers_make_entry_by_entry()
    {
        var expected = TreeDump.Take(_fixture.Reference);
        var actual = TreeDump.Take(_fixture.Rootfs);
        var diffs = TreeComparison.Compare(expected, actual);
        Assert.True(diffs.Count == 0, $"{diffs.Count} differences:\n" + string.Join("\n", diffs.Take(100)));
        Assert.True(actual.Count > 4000, $"only {actual.Count} entries");
        Assert.Contains(actual.Values, e => e.Type == "f" && e.NLink > 1);
        Assert.Contains(actual.Values, e => e.Type == "c");
        Assert.Contains(actual.Values, e => e.Type == "f" && (e.Mode & 0b100_000_000_000) != 0);
    }

    [Fact]
    public void Chroot_runs_a_dynamically_linked_debian()
    {
        const string Script = "dpkg -l | wc -l; ls -l /usr/bin/less | cut -c1-10; /opt/corpus/pager --version | head -1";
        var inMount = ProcessRunner.Run("chroot", [_fixture.Rootfs, "/bin/bash", "-c", Script], TimeSpan.FromMinutes(2)).EnsureSuccess().Stdout;
        var onDisk = ProcessRunner.Run("chroot", [_fixture.Reference, "/bin/bash", "-c", Script], TimeSpan.FromMinutes(2)).EnsureSuccess().Stdout;
        Assert.Equal(onDisk, inMount);
        Assert.True(int.Parse(inMount.Split('\n')[0], System.Globalization.CultureInfo.InvariantCulture) > 80, inMount);
    }
}
