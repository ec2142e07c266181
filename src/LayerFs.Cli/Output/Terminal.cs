using System.Text.Json;
using System.Text.Json.Nodes;

namespace LayerFs.Cli.Output;

/// <summary>
/// The command's own output channel (results on stdout, the one-line error on stderr). Logging
/// goes through Serilog; this is only for what the user asked the command to print.
/// </summary>
internal static class Terminal
{
    public static TextWriter Out { get; set; } = Console.Out;
    public static TextWriter Error { get; set; } = Console.Error;

    public static bool ErrorIsTerminal => !Console.IsErrorRedirected;

    public static void Line(string text = "") => Out.WriteLine(text);

    public static void Fail(string message) => Error.WriteLine($"layerfs: {message}");

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>
    /// Prints a JSON document (--format json). Built as a JsonNode, never serialized from objects
    /// by reflection: the CLI is compiled ahead of time, where reflection-based serialization is off.
    /// Names are snake_case.
    /// </summary>
    public static void Json(JsonNode? value) => Out.WriteLine(value is null ? "null" : value.ToJsonString(JsonOptions));

    /// <summary>A JSON array of the items, each mapped to a node.</summary>
    public static JsonArray Array<T>(IEnumerable<T> items, Func<T, JsonNode?> map) => new([.. items.Select(map)]);

    /// <summary>A JSON array of strings.</summary>
    public static JsonArray Strings(IEnumerable<string> items) => Array(items, s => s);
}
