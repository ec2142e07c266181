using System.Runtime.InteropServices;
using LayerFs.Fuse;
using Serilog;

namespace LayerFs.Mount.Daemon;

/// <summary>
/// Serves a store at a mountpoint until it is unmounted (umount, `layerfs umount`) or the
/// process is told to stop (SIGINT, SIGTERM, SIGHUP: it then unmounts itself).
/// </summary>
public static class MountDaemon
{
    /// <summary>
    /// Mounts, calls <paramref name="ready"/> once the mount serves requests, and returns when the
    /// mount is gone. Failures before readiness are exceptions with a message for the user.
    /// </summary>
    public static void Run(string storeRoot, string mountpoint, MountSettings settings, Action ready)
    {
        using var mount = StoreMount.Start(storeRoot, mountpoint, settings);
        using (FuseSignals.StopOnTermination(mount.Session))
        using (PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            ThreadPool.UnsafeQueueUserWorkItem(_ => mount.Stop(), null);
        }))
        {
            ready();
            mount.WaitForExit();
        }
        Log.Information("{Mountpoint} unmounted", mountpoint);
    }
}
