using System.Globalization;
using LayerFs.Fuse.Interop;

namespace LayerFs.Fuse.Mount;

/// <summary>Who this process is, as far as mounting and passthrough care.</summary>
internal static class Privileges
{
    private const int CapSysAdmin = 21;

    public static bool IsRoot => Libc.Geteuid() == 0;

    /// <summary>
    /// CAP_SYS_ADMIN in the effective set. The kernel checks it in the *initial* user namespace for
    /// FUSE_DEV_IOC_BACKING_OPEN, so this is a hint (a container's root passes here and still gets EPERM).
    /// </summary>
    public static bool HasSysAdmin()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                    return (ulong.Parse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << CapSysAdmin)) != 0;
        }
        catch (IOException)
        {
        }
        return IsRoot;
    }
}
