using LayerFs.Mount.Tests.Support;
using LayerFs.Mount.Views;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Mount.Tests.Views;

/// <summary>
/// A store with one image and a userspace view of it, mounted by the published CLI; removes
/// everything at the end with fd-based deletes (views may hold paths near PATH_MAX).
/// </summary>
internal sealed class ViewMount : IDisposable
{
    public ViewMount(string image = "busybox", string view = "dev")
    {
        Cli = new CliMount();
        Image = image + ":latest";
        View = view;
        Cli.Run("import", Repo.Corpus(image), "--name", Image).EnsureSuccess();
        Cli.Run("view", "create", view, "--from", Image).EnsureSuccess();
        Mount();
    }

    public CliMount Cli { get; }

    public string Image { get; }

    public string View { get; }

    public string Rootfs => Path.Combine(Cli.Mountpoint, "views", View, "rootfs");

    public string ImageRootfs => Path.Combine(Cli.Mountpoint, "images", Image, "rootfs");

    public string Upper => Path.Combine(Cli.Store, "views", View, "upper");

    public string In(string relative) => Path.Combine(Rootfs, relative);

    public void Mount()
    {
        var mount = Cli.Run("mount", Cli.Mountpoint);
        Assert.True(mount.ExitCode == 0, mount.Stderr);
    }

    public void Unmount() => Cli.Run("umount", Cli.Mountpoint).EnsureSuccess();

    public void Remount()
    {
        Unmount();
        Mount();
    }

    /// <summary>Runs a Python snippet (for the calls .NET does not offer); argv[1] is the view's rootfs.</summary>
    public string Python(string code, params string[] args)
    {
        var result = ProcessRunner.Run("python3", ["-c", code, Rootfs, .. args], TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        return result.Stdout.Trim();
    }

    /// <summary>st_ino and st_nlink of a path in the view.</summary>
    public (ulong Ino, int Links) Stat(string relative)
    {
        var fields = Python("import os,sys; s=os.lstat(os.path.join(sys.argv[1], sys.argv[2])); print(s.st_ino, s.st_nlink)", relative).Split(' ');
        return (ulong.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path.Combine(Cli.Store, "views")))
            {
                if (LayerFs.Fuse.FuseMounts.IsMounted(Cli.Mountpoint))
                    Cli.Run("umount", Cli.Mountpoint);
                HostTree.Delete(Path.Combine(Cli.Store, "views"));
            }
        }
        finally
        {
            Cli.Dispose();
        }
    }
}
