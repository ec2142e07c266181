using System.CommandLine;
using LayerFs.Cli.Output;
using LayerFs.Fuse;
using LayerFs.Mount.Daemon;
using LayerFs.Store;

namespace LayerFs.Cli.Commands;

/// <summary>
/// `layerfs mount MNT [-f] [-o OPTS]`: serves the store at MNT. Without -f the command returns
/// once the mount is ready and a detached daemon keeps serving (see <see cref="BackgroundLauncher"/>).
/// </summary>
internal static class MountCommand
{
    public static Command Create()
    {
        var mountpoint = new Argument<string>("MNT") { Description = "where to mount (a directory, or /dev/fd/N for an already opened /dev/fuse)" };
        var foreground = new Option<bool>("--foreground", "-f") { Description = "stay in the foreground and log to stderr" };
        var options = new Option<string[]>("-o") { Description = "mount options, comma-separated: allow_other, suid, dev, ro, default_permissions, threads=N, no-passthrough, no-uring", HelpName = "OPTIONS" };
        var noPassthrough = new Option<bool>("--no-passthrough") { Description = "serve every read through the daemon, never by FUSE passthrough" };
        var readyFd = new Option<string?>(BackgroundLauncher.ReadyFdOption) { Hidden = true };
        var command = new Command("mount", "Mount the store: images/, layers/ and views/ as directories") { mountpoint, foreground, options, noPassthrough, readyFd };
        command.SetAction(result =>
        {
            MountSettings settings;
            try
            {
                settings = MountSettings.Parse(result.GetValue(options) ?? []);
            }
            catch (FormatException e)
            {
                throw new UsageException(e.Message);
            }
            if (result.GetValue(noPassthrough))
                settings.Passthrough = false;
            var target = result.GetValue(mountpoint)!;
            if (!target.StartsWith("/dev/fd/", StringComparison.Ordinal))
                target = Path.GetFullPath(target);
            var storeRoot = Path.GetFullPath(CommonOptions.StoreRoot(result));

            var pipeFd = result.GetValue(readyFd);
            // Here, not in the detached daemon: its errors reach the terminal, and its time does not count against the daemon's readiness.
            if (pipeFd is null)
                Snapshotters.RestoreViews(storeRoot);
            if (pipeFd is null && !result.GetValue(foreground))
            {
                int? fuseFd = target.StartsWith("/dev/fd/", StringComparison.Ordinal) && int.TryParse(target["/dev/fd/".Length..], out var fd) ? fd : null;
                var error = BackgroundLauncher.Start(["--store", storeRoot, "mount", target, "-f", "-o", settings.ToOptionString()], fuseFd);
                if (error is null)
                    return 0;
                Terminal.Fail(error);
                return 1;
            }

            if (pipeFd is not null)
                BackgroundLauncher.Detach();
            else if (result.GetValue(CommonOptions.LogLevel) is null && Environment.GetEnvironmentVariable("LAYERFS_LOG") is null)
                Logging.Configure("information");
            using var readiness = Readiness.FromFd(pipeFd);
            try
            {
                MountDaemon.Run(storeRoot, target, settings, readiness.Ready);
                return 0;
            }
            catch (Exception e) when (e is StoreException or FuseException or IOException or UnauthorizedAccessException)
            {
                readiness.Failed(e.Message);
                throw;
            }
        });
        return command;
    }
}

/// <summary>`layerfs umount MNT`: what umount(8) does, also for a user who mounted through fusermount3.</summary>
internal static class UmountCommand
{
    public static Command Create()
    {
        var mountpoint = new Argument<string>("MNT") { Description = "the mountpoint" };
        var lazy = new Option<bool>("--lazy", "-l") { Description = "detach now, finish when the last open file is closed" };
        var command = new Command("umount", "Unmount a mounted store") { mountpoint, lazy };
        command.SetAction(result =>
        {
            var target = Path.GetFullPath(result.GetValue(mountpoint)!);
            if (!FuseMounts.IsMounted(target))
                throw new UsageException($"{target} is not mounted");
            FuseMounts.Unmount(target, result.GetValue(lazy));
            return 0;
        });
        return command;
    }
}
