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
    /// Mounts, calls <paramref name="ready"/> once the mount exists, and returns when the mount is
    /// gone. Failures before readiness are exceptions with a message for the user.
    /// </summary>
    /// <remarks>
    /// Ready comes before the kernel's INIT is answered, as with libfuse's daemonizing file systems:
    /// the store has been opened and the mount made, which is what can fail for a user's reasons, and
    /// the kernel holds any request until INIT is answered. The command then exits while the daemon
    /// answers INIT and starts its threads: a `mount && stat` pays one of the two, not both.
    /// </remarks>
    public static void Run(string storeRoot, string mountpoint, MountSettings settings, Action ready)
    {
        using var mount = StoreMount.Start(storeRoot, mountpoint, settings, ready);
        using (FuseSignals.StopOnTermination(mount.Session))
        using (PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            ThreadPool.UnsafeQueueUserWorkItem(_ => mount.Stop(), null);
        }))
        {
            mount.WaitForExit();
        }
        Log.Information("{Mountpoint} unmounted", mountpoint);
    }
}
