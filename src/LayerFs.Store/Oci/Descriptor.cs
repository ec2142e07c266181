using System.Text.Json;

namespace LayerFs.Store.Oci;

/// <summary>An OCI content descriptor: what a blob is, its digest and size, and optionally its platform and annotations.</summary>
public sealed record Descriptor(
    string MediaType,
    Digest Digest,
    long Size,
    Platform? Platform,
    IReadOnlyDictionary<string, string> Annotations)
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    public string? RefName => Annotations.TryGetValue(RefNameAnnotation, out var v) ? v : null;

    internal static Descriptor Parse(JsonElement e, string what)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new InvalidImageException($"{what}: a descriptor must be a JSON object");
        var mediaType = Json.RequiredString(e, "mediaType", what);
        var digestText = Json.RequiredString(e, "digest", what);
        if (!Digest.TryParse(digestText, out var digest))
            throw new InvalidImageException($"{what}: unsupported or malformed digest '{Escape.Text(digestText)}' (only sha256 is accepted)");
        if (!e.TryGetProperty("size", out var sizeElement) || sizeElement.ValueKind != JsonValueKind.Number || !sizeElement.TryGetInt64(out var size) || size < 0)
            throw new InvalidImageException($"{what}: descriptor {digest} has no valid size");
        Platform? platform = null;
        if (e.TryGetProperty("platform", out var p) && p.ValueKind == JsonValueKind.Object)
            platform = new Platform(Json.OptionalString(p, "os") ?? "", Json.OptionalString(p, "architecture") ?? "", Json.OptionalString(p, "variant"));
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (e.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object)
            foreach (var prop in a.EnumerateObject())
                if (prop.Value.ValueKind == JsonValueKind.String)
                    annotations[prop.Name] = prop.Value.GetString()!;
        return new Descriptor(mediaType, digest, size, platform, annotations);
    }
}

public sealed record Platform(string Os, string Architecture, string? Variant)
{
    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";

    /// <summary>"os/arch[/variant]"; null means this machine (linux and the process architecture).</summary>
    public static Platform ParseOrDefault(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return new Platform("linux", CurrentArchitecture(), null);
        var parts = text.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(string.IsNullOrEmpty))
            throw new StoreException($"invalid platform '{Escape.Text(text)}' (expected os/arch[/variant], e.g. linux/amd64)");
        return new Platform(parts[0], parts[1], parts.Length == 3 ? parts[2] : null);
    }

    public bool Matches(Platform? other) =>
        other is not null && other.Os == Os && other.Architecture == Architecture && (Variant is null || other.Variant == Variant);

    private static string CurrentArchitecture() => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        var other => other.ToString().ToLowerInvariant(),
    };
}
