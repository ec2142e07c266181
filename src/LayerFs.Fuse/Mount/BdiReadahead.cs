using System.Globalization;
using Serilog;

namespace LayerFs.Fuse.Mount;

/// <summary>
/// The readahead window of a FUSE mount lives in its backing device info, /sys/class/bdi/0:N. The kernel
/// starts it at 128 KiB and INIT can only lower it, so a larger MaxReadahead is applied here (as root),
/// which lets sequential reads travel in requests of up to max_pages instead of 128 KiB.
/// </summary>
internal static class BdiReadahead
{
    public static void Raise(uint connectionId, uint bytes, ILogger log)
    {
        var path = $"/sys/class/bdi/0:{connectionId.ToString(CultureInfo.InvariantCulture)}/read_ahead_kb";
        try
        {
            var current = uint.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture);
            var wanted = bytes / 1024;
            if (wanted <= current)
                return;
            using (var f = new FileStream(path, FileMode.Open, FileAccess.Write))
                f.Write(System.Text.Encoding.ASCII.GetBytes(wanted.ToString(CultureInfo.InvariantCulture)));
            log.Debug("fuse: readahead raised from {Current} KiB to {Wanted} KiB", current, wanted);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            log.Debug("fuse: cannot raise readahead through {Path}: {Error}", path, ex.Message);
        }
    }
}
