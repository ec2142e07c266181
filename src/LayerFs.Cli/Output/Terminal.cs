using System.Text.Json;

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

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static void Json<T>(T value) => Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));
}
