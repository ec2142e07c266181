using System.Diagnostics;

namespace LayerFs.Fuse.Mount;

/// <summary>Finds and runs the setuid helper fusermount3 (fusermount on old systems).</summary>
internal static class FusermountProgram
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>$FUSERMOUNT_PATH, else fusermount3 or fusermount on $PATH or in the usual places.</summary>
    public static string Locate()
    {
        if (Environment.GetEnvironmentVariable("FUSERMOUNT_PATH") is { Length: > 0 } env)
            return env;
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/bin", "/usr/local/bin"]);
        foreach (var name in new[] { "fusermount3", "fusermount" })
            foreach (var dir in dirs)
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                    return candidate;
            }
        throw new FuseException("fusermount3 not found (install fuse3, or set FUSERMOUNT_PATH)");
    }

    /// <summary>Starts fusermount with an optional inherited fd named in _FUSE_COMMFD.</summary>
    public static Process Start(IEnumerable<string> arguments, int? commFd)
    {
        var psi = new ProcessStartInfo(Locate())
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var a in arguments)
            psi.ArgumentList.Add(a);
        if (commFd is { } fd)
            psi.Environment["_FUSE_COMMFD"] = fd.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Process.Start(psi) ?? throw new FuseException("cannot start " + psi.FileName);
    }

    /// <summary>Waits for the helper and throws with its stderr when it failed.</summary>
    public static void WaitSucceeded(Process process, string what)
    {
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill();
            throw new FuseException($"{what}: fusermount did not finish in {Timeout.TotalSeconds} s");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new FuseException($"{what}: fusermount exited {process.ExitCode}: {stderr.Result.Trim()}");
    }

    /// <summary>fusermount3 -u [-z] -- mountPoint.</summary>
    public static void Unmount(string mountPoint, bool lazy)
    {
        var args = new List<string> { "-u" };
        if (lazy)
            args.Add("-z");
        args.Add("--");
        args.Add(mountPoint);
        using var p = Start(args, commFd: null);
        WaitSucceeded(p, "unmount " + mountPoint);
    }
}
