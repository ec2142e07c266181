using System.Text.RegularExpressions;

namespace LayerFs.Store;

/// <summary>
/// What /proc/self/mountinfo says is mounted: the store must never delete into, or mount over, a
/// mounted filesystem (a devicemapper view's ext4 lives below STORE/views).
/// </summary>
public static partial class MountPoints
{
    [GeneratedRegex(@"\\([0-7]{3})")]
    private static partial Regex OctalEscape();

    /// <summary>Every mount point (field 5), with the kernel's octal escapes (\040 for a space) decoded.</summary>
    public static List<string> All()
    {
        var paths = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4)
                paths.Add(OctalEscape().Replace(fields[4], m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString()));
        }
        return paths;
    }

    public static bool IsMounted(string path) => All().Contains(path);
}
