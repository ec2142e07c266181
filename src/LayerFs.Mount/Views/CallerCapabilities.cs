namespace LayerFs.Mount.Views;

/// <summary>
/// Whether the process behind a request holds CAP_FSETID, from /proc/PID/status. The kernel passes
/// its file_remove_privs for a passthrough write on as a SETATTR that changes nothing, without
/// saying whether the writer may keep set-id bits: the view asks the process itself (rare: the
/// kernel sends such a SETATTR only for files with set-id bits or capabilities).
/// </summary>
internal static class CallerCapabilities
{
    private const int CapFsetid = 4;

    /// <summary>False also when the process is gone or its status unreadable (clearing is the safe side).</summary>
    public static bool HasFsetid(uint pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("CapEff:", StringComparison.Ordinal))
                    continue;
                var mask = Convert.ToUInt64(line["CapEff:".Length..].Trim(), 16);
                return (mask & (1UL << CapFsetid)) != 0;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
        }
        return false;
    }
}
