using LayerFs.TestSupport;

namespace LayerFs.Fuse.Tests.Support;

/// <summary>Shell commands for tests (they run in a child process, never on a FUSE reader thread).</summary>
public static class Shell
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs a bash script and returns stdout; throws with stdout and stderr when it fails.</summary>
    public static string Ok(string script, string? cwd = null) =>
        ProcessRunner.Run("/bin/bash", ["-c", "set -euo pipefail\n" + script], Timeout, cwd: cwd).EnsureSuccess().Stdout;

    public static ProcessResult Run(string script, string? cwd = null) =>
        ProcessRunner.Run("/bin/bash", ["-c", script], Timeout, cwd: cwd);

    public static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
