using System.Globalization;
using System.Runtime.InteropServices;
using LayerFs.Fuse.Interop;
using Serilog;

namespace LayerFs.Fuse.Mount;

/// <summary>
/// The fusectl filesystem (/sys/fs/fuse/connections/N): writing to N/abort ends a connection at
/// once, failing every pending and future request. It is the one way to wake reader threads that
/// sit in read() on a connection which an open file keeps alive after a lazy unmount.
/// </summary>
internal static class FuseConnectionControl
{
    private const string ConnectionsDir = "/sys/fs/fuse/connections";

    public static bool Abort(uint connectionId, ILogger log)
    {
        var id = connectionId.ToString(CultureInfo.InvariantCulture);
        if (TryWriteAbort(Path.Combine(ConnectionsDir, id, "abort")))
            return true;
        if (!Privileges.IsRoot)
        {
            log.Debug("fuse: cannot abort connection {Id}: fusectl is not mounted on {Dir}", id, ConnectionsDir);
            return false;
        }
        // fusectl is a single-instance filesystem: mount it privately, write, and take it away again
        // rather than leave a mount on /sys behind.
        var dir = Directory.CreateTempSubdirectory("layerfs-fusectl-").FullName;
        try
        {
            if (Libc.Mount("fusectl", dir, "fusectl", 0, null) != 0)
            {
                log.Debug("fuse: cannot mount fusectl: {Error}", Errors.Describe(Marshal.GetLastPInvokeError()));
                return false;
            }
            try
            {
                return TryWriteAbort(Path.Combine(dir, id, "abort"));
            }
            finally
            {
                Libc.Umount2(dir, Libc.MNT_DETACH);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(dir);
            }
            catch (IOException)
            {
            }
        }
    }

    private static bool TryWriteAbort(string path)
    {
        if (!File.Exists(path))
            return false;
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Write);
            f.Write("1"u8);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
