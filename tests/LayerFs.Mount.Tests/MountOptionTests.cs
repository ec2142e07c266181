using LayerFs.Mount.Daemon;
using Xunit;

namespace LayerFs.Mount.Tests;

/// <summary>-o options, and what mount(8) hands its helper.</summary>
public sealed class MountOptionTests
{
    [Fact]
    public void Options_parse_and_round_trip()
    {
        var settings = MountSettings.Parse(["allow_other,suid", "dev,ro,threads=4,no-passthrough,no-uring"]);
        Assert.True(settings.AllowOther && settings.Suid && settings.Dev && settings.ReadOnly);
        Assert.False(settings.Passthrough);
        Assert.False(settings.IoUring);
        Assert.Equal(4, settings.Threads);
        Assert.True(settings.DefaultPermissions);
        var again = MountSettings.Parse([settings.ToOptionString()]);
        Assert.Equal(settings.ToOptionString(), again.ToOptionString());
        var fuse = settings.ToFuseOptions("/store");
        Assert.True(fuse.AllowOther && fuse.Suid && fuse.Dev && fuse.ReadOnly && fuse.DefaultPermissions);
        Assert.False(fuse.Passthrough);
        Assert.False(fuse.IoUring);
        Assert.Equal(4, fuse.Threads);
        Assert.Equal("/store", fuse.FsName);
    }

    [Fact]
    public void Defaults_are_nosuid_nodev_with_default_permissions_passthrough_and_io_uring()
    {
        var settings = MountSettings.Parse([]);
        Assert.False(settings.Suid || settings.Dev || settings.AllowOther || settings.ReadOnly);
        Assert.True(settings.DefaultPermissions && settings.Passthrough && settings.IoUring);
        Assert.Null(settings.Threads);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("threads=0")]
    [InlineData("threads=x")]
    public void Unknown_or_malformed_options_are_refused(string option)
    {
        Assert.Throws<FormatException>(() => MountSettings.Parse([option]));
    }

    [Fact]
    public void The_helper_drops_mount_8_options_and_starts_from_its_defaults()
    {
        var args = MountHelperArguments.Translate(["/var/lib/layerfs", "/mnt/img", "-s", "-o", "rw,defaults,noauto,user,nofail,_netdev,x-systemd.automount,comment=x,allow_other,nosuid,threads=2"]);
        Assert.Equal(["--store", "/var/lib/layerfs", "mount", "/mnt/img", "-o", "suid,dev,allow_other,nosuid,threads=2"], args);
        var settings = MountSettings.Parse([args[^1]]);
        Assert.False(settings.Suid);
        Assert.True(settings.Dev && settings.AllowOther);
    }

    [Fact]
    public void The_helper_without_options_mounts_as_mount_8_would()
    {
        Assert.Equal(["--store", "STORE", "mount", "/dev/fd/5", "-o", "suid,dev"], MountHelperArguments.Translate(["STORE", "/dev/fd/5"]));
    }
}
