using System.Globalization;

namespace LayerFs.Cli.Output;

internal static class Units
{
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return unit == 0 ? $"{bytes}B" : value.ToString(value < 10 ? "0.##" : "0.#", CultureInfo.InvariantCulture) + units[unit];
    }

    public static string ShortId(LayerFs.Store.Digest digest) => digest.Hex[..12];

    /// <summary>"3 days ago", as docker shows creation times.</summary>
    public static string Ago(string? rfc3339)
    {
        if (rfc3339 is null || !DateTimeOffset.TryParse(rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
            return "N/A";
        var span = DateTimeOffset.UtcNow - when;
        return span.TotalMinutes < 1 ? "just now"
            : span.TotalHours < 1 ? $"{(int)span.TotalMinutes} minutes ago"
            : span.TotalDays < 1 ? $"{(int)span.TotalHours} hours ago"
            : span.TotalDays < 60 ? $"{(int)span.TotalDays} days ago"
            : span.TotalDays < 730 ? $"{(int)(span.TotalDays / 30)} months ago"
            : $"{(int)(span.TotalDays / 365)} years ago";
    }
}
