using System.Text;

namespace LayerFs.Fuse.Mount;

/// <summary>One line of /proc/self/mountinfo.</summary>
internal sealed record MountEntry(string MountPoint, uint Major, uint Minor, string FileSystemType, string Source);

/// <summary>
/// Reads /proc/self/mountinfo. Reading the table never touches a mounted filesystem, so it is safe
/// for a FUSE daemon to use on its own mountpoint and works on a stale one.
/// </summary>
internal static class MountTable
{
    public static List<MountEntry> Read()
    {
        var entries = new List<MountEntry>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            var fields = line.Split(' ');
            var dash = Array.IndexOf(fields, "-");
            if (fields.Length < 7 || dash < 6 || dash + 2 >= fields.Length)
                continue;
            var devParts = fields[2].Split(':');
            if (devParts.Length != 2 || !uint.TryParse(devParts[0], out var major) || !uint.TryParse(devParts[1], out var minor))
                continue;
            entries.Add(new MountEntry(Unescape(fields[4]), major, minor, fields[dash + 1], Unescape(fields[dash + 2])));
        }
        return entries;
    }

    /// <summary>The topmost mount at exactly this path, or null.</summary>
    public static MountEntry? Find(string mountPoint)
    {
        var path = Normalize(mountPoint);
        MountEntry? found = null;
        foreach (var e in Read())
            if (e.MountPoint == path)
                found = e; // later lines are mounted on top of earlier ones
        return found;
    }

    public static string Normalize(string path)
    {
        var full = Path.GetFullPath(path);
        return full.Length > 1 ? full.TrimEnd('/') : full;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash as \ooo octal escapes.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
            return field;
        var bytes = new List<byte>(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                bytes.Add((byte)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(field[i].ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsOctal(string s, int start)
    {
        if (start + 3 > s.Length)
            return false;
        for (var i = start; i < start + 3; i++)
            if (s[i] < '0' || s[i] > '7')
                return false;
        return true;
    }
}
