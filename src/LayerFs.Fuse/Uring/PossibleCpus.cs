using System.Globalization;

namespace LayerFs.Fuse.Uring;

/// <summary>
/// How many CPUs the kernel may ever run (num_possible_cpus): FUSE over io_uring has one queue per
/// possible CPU, and requests hang until every queue has an entry. Not Environment.ProcessorCount,
/// which follows this process's affinity and cgroup.
/// </summary>
internal static class PossibleCpus
{
    public static int Count()
    {
        try
        {
            // "0-1", "0-3,8-11", "0": the count of ids is what the kernel counts.
            var text = File.ReadAllText("/sys/devices/system/cpu/possible").Trim();
            var count = 0;
            foreach (var range in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var ends = range.Split('-');
                var first = int.Parse(ends[0], CultureInfo.InvariantCulture);
                var last = ends.Length > 1 ? int.Parse(ends[1], CultureInfo.InvariantCulture) : first;
                count += last - first + 1;
            }
            return Math.Max(count, 1);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return Environment.ProcessorCount;
        }
    }
}
