using System.CommandLine;
using LayerFs.Store;

namespace LayerFs.Cli.Commands;

/// <summary>Options shared by many commands, and the store they open.</summary>
internal static class CommonOptions
{
    public static readonly Option<string?> Store = new("--store")
    {
        Description = "The store directory (default: $LAYERFS_STORE, else /var/lib/layerfs as root, ~/.local/share/layerfs otherwise)",
        Recursive = true,
    };

    public static readonly Option<string> LogLevel = new("--log-level")
    {
        Description = "verbose, debug, information, warning or error (default: warning; LAYERFS_LOG also sets it)",
        Recursive = true,
    };

    public static Option<string> Format() => new("--format")
    {
        Description = "table or json",
        DefaultValueFactory = _ => "table",
    };

    public static bool IsJson(ParseResult result, Option<string> format) => result.GetValue(format) switch
    {
        "json" => true,
        "table" or null => false,
        var other => throw new UsageException($"unknown --format '{other}' (table or json)"),
    };

    public static string StoreRoot(ParseResult result) => result.GetValue(Store) ?? StoreLayout.DefaultRoot();

    public static ImageStore OpenStore(ParseResult result) => ImageStore.Open(StoreRoot(result));
}

/// <summary>The command line itself is wrong: printed as one line, exit code 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }
    public UsageException() { }
    public UsageException(string message, Exception inner) : base(message, inner) { }
}
