using Serilog;
using Serilog.Events;

namespace LayerFs.Cli;

/// <summary>Serilog to stderr; the level from --log-level or LAYERFS_LOG (default warning).</summary>
internal static class Logging
{
    public static void Configure(string? level)
    {
        var minimum = level?.ToLowerInvariant() switch
        {
            "verbose" or "trace" => LogEventLevel.Verbose,
            "debug" => LogEventLevel.Debug,
            "information" or "info" => LogEventLevel.Information,
            "error" => LogEventLevel.Error,
            _ => LogEventLevel.Warning,
        };
        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Is(minimum)
            .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
    }
}
