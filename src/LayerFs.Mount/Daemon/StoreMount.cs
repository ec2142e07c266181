using LayerFs.Fuse;
using LayerFs.Mount.Tree;
using LayerFs.Store;
using LayerFs.Store.Index;
using Serilog;

namespace LayerFs.Mount.Daemon;

/// <summary>
/// A store mounted and served: the tree, the FUSE session on its reader threads, and the
/// watcher that tells the kernel about imports, tags and removals. What the daemon runs, and
/// what tests mount in-process.
/// </summary>
public sealed class StoreMount : IDisposable
{
    private readonly LayerFileSystem _fs;
    private readonly FuseSession _session;
    private readonly ChangeWatcher _watcher;

    private StoreMount(LayerFileSystem fs, FuseSession session, ChangeWatcher watcher)
    {
        _fs = fs;
        _session = session;
        _watcher = watcher;
    }

    public LayerFileSystem FileSystem => _fs;

    public FuseSession Session => _session;

    /// <summary>
    /// Mounts and serves; returns once the kernel's INIT is answered and the reader threads run.
    /// <paramref name="mounted"/>, if given, is called as soon as the mount exists, before INIT:
    /// the kernel holds requests until INIT is answered, so a caller told then may already use
    /// the mount. Throws (StoreException, FuseException, IOException) with a message for the user.
    /// </summary>
    public static StoreMount Start(string storeRoot, string mountpoint, MountSettings settings, Action? mounted = null)
    {
        var layout = new StoreLayout(storeRoot);
        StoreDatabase.TruncateLeftoverLog(layout);
        // Fail now, with the store's own message, rather than on the first request.
        StoreDatabase.OpenReadOnly(layout).Dispose();

        if (!mountpoint.StartsWith("/dev/fd/", StringComparison.Ordinal) && FuseMounts.IsMounted(mountpoint))
        {
            if (!FuseMounts.IsStale(mountpoint))
                throw new IOException($"{mountpoint} is already mounted");
            Log.Information("{Mountpoint}: removing a mount whose daemon is gone", mountpoint);
            FuseMounts.Unmount(mountpoint, lazy: true);
        }

        var fs = new LayerFileSystem(layout, new LayerFileSystemOptions { Passthrough = settings.Passthrough });
        FuseSession? session = null;
        try
        {
            session = FuseSession.Mount(mountpoint, fs, settings.ToFuseOptions(layout.Root));
            mounted?.Invoke();
            fs.UseNotifier(session.Notifier);
            session.Start();
            var watcher = new ChangeWatcher(fs.Tree, session.Notifier);
            Log.Information("serving {Store} at {Mountpoint} (passthrough {Passthrough}, io_uring queues {Queues})",
                layout.Root, mountpoint, session.PassthroughActive, session.Connection.IoUringQueues);
            return new StoreMount(fs, session, watcher);
        }
        catch
        {
            session?.Dispose();
            fs.Dispose();
            throw;
        }
    }

    /// <summary>Unmounts (lazily if busy) and ends the session.</summary>
    public void Stop() => _session.Stop();

    /// <summary>Returns when the mount is gone (unmounted by anyone, or stopped).</summary>
    public void WaitForExit() => _session.WaitForExit();

    public bool WaitForExit(TimeSpan timeout) => _session.WaitForExit(timeout);

    public void Dispose()
    {
        _session.Dispose();
        _watcher.Dispose();
        _fs.Dispose();
    }
}
