using System.Security.Cryptography;

namespace LayerFs.Store;

/// <summary>
/// A content digest, "sha256:&lt;64 lowercase hex&gt;". Only sha256 is accepted: it is what
/// every image we read uses, and refusing the rest keeps blob paths trivially safe.
/// </summary>
public readonly record struct Digest
{
    private Digest(string hex) => Hex = hex;

    /// <summary>The 64 lowercase hex characters.</summary>
    public string Hex { get; }

    public override string ToString() => "sha256:" + Hex;

    public static Digest FromHash(ReadOnlySpan<byte> sha256) => new(Convert.ToHexStringLower(sha256));

    public static Digest Of(ReadOnlySpan<byte> data) => FromHash(SHA256.HashData(data));

    public byte[] ToBytes() => Convert.FromHexString(Hex);

    public static Digest Parse(string text)
    {
        if (!TryParse(text, out var digest))
            throw new StoreException($"invalid digest '{Escape.Text(text)}' (expected sha256:<64 hex digits>)");
        return digest;
    }

    public static bool TryParse(string? text, out Digest digest)
    {
        digest = default;
        if (text is null || !text.StartsWith("sha256:", StringComparison.Ordinal))
            return false;
        return TryParseHex(text.AsSpan(7), out digest);
    }

    public static bool TryParseHex(ReadOnlySpan<char> hex, out Digest digest)
    {
        digest = default;
        if (hex.Length != 64)
            return false;
        foreach (var c in hex)
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
                return false;
        digest = new Digest(hex.ToString());
        return true;
    }
}
