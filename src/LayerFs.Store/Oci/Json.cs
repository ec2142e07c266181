using System.Text.Json;
using System.Text.Json.Nodes;

namespace LayerFs.Store.Oci;

/// <summary>Small strict accessors: malformed JSON becomes one clear InvalidImageException line.</summary>
internal static class Json
{
    public static JsonDocument Parse(ReadOnlyMemory<byte> data, string what)
    {
        // JsonDocument checks string contents only when a string is read, and then throws
        // InvalidOperationException: check the whole text once, up front (found by fuzzing).
        if (!System.Text.Unicode.Utf8.IsValid(data.Span))
            throw new InvalidImageException($"{what} is not valid UTF-8 JSON");
        try
        {
            return JsonDocument.Parse(data, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new InvalidImageException($"{what} is not valid JSON: {e.Message.Split('\n')[0]}", e);
        }
    }

    public static string RequiredString(JsonElement e, string name, string what)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String)
            throw new InvalidImageException($"{what}: missing or invalid '{name}'");
        return v.GetString()!;
    }

    public static string? OptionalString(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static JsonElement RequiredArray(JsonElement e, string name, string what)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array)
            throw new InvalidImageException($"{what}: missing or invalid '{name}' array");
        return v;
    }

    /// <summary>
    /// A document as compact UTF-8 JSON, exactly as JsonSerializer would write it, without the
    /// serializer's reflection (the CLI is compiled ahead of time).
    /// </summary>
    public static byte[] ToUtf8Bytes(JsonNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
            node.WriteTo(writer);
        return buffer.WrittenSpan.ToArray();
    }
}
