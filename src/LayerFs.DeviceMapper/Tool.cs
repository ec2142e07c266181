using System.Diagnostics;
using Serilog;

namespace LayerFs.DeviceMapper;

/// <summary>Runs one of the system tools the snapshotter drives (dmsetup, losetup, mkfs.ext4, cp, blkdiscard) and reports its outcome.</summary>
internal static class Tool
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public bool Ok => ExitCode == 0;

        /// <summary>The tool's first line of complaint, for a one-line message.</summary>
        public string FirstErrorLine =>
            Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit status {ExitCode}";
    }

    public static Result Run(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        if (environment is not null)
            foreach (var (key, value) in environment)
                start.Environment[key] = value;
        Log.Debug("run {Program} {Arguments}", program, string.Join(' ', start.ArgumentList));
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new DeviceMapperException($"cannot start {program}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DeviceMapperException($"cannot run {program}: {e.Message}", e);
        }
        using (process)
        {
            process.StandardInput.Close();
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var result = new Result(process.ExitCode, output, error.Result);
            if (!result.Ok)
                Log.Debug("{Program} failed ({Code}): {Error}", program, result.ExitCode, result.Error.Trim());
            return result;
        }
    }

    /// <summary>Runs and throws with <paramref name="what"/> and the tool's first error line when it fails.</summary>
    public static string Check(string what, string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var result = Run(program, arguments, environment);
        return result.Ok ? result.Output : throw new DeviceMapperException($"{what}: {program}: {result.FirstErrorLine}");
    }

    /// <summary>Whether <paramref name="program"/> is on PATH.</summary>
    public static bool Exists(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':')
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, program)));
}
