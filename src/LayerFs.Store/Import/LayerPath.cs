namespace LayerFs.Store.Import;

/// <summary>
/// Splits a tar member name into path components and refuses every name that could reach
/// outside the layer: absolute paths, ".." anywhere, empty or over-long components.
/// "./" prefixes, "." components, repeated and trailing slashes are normalised away, as tar
/// and the OCI spec treat them.
/// </summary>
internal static class LayerPath
{
    public const int MaxComponent = 255;
    public const int MaxPath = 4096;

    /// <summary>The components, or an empty list for the layer root ("." or "./").</summary>
    public static List<byte[]> Split(ReadOnlySpan<byte> name, string what)
    {
        if (name.Length == 0)
            throw new InvalidImageException($"{what}: empty path");
        if (name.Length > MaxPath)
            throw new InvalidImageException($"{what}: path longer than {MaxPath} bytes");
        if (name[0] == (byte)'/')
            throw new InvalidImageException($"{what}: absolute path '{Escape.Bytes(name)}' is not allowed in a layer");
        if (name.IndexOf((byte)0) >= 0)
            throw new InvalidImageException($"{what}: NUL byte in path '{Escape.Bytes(name)}'");
        var parts = new List<byte[]>();
        foreach (var range in name.Split((byte)'/'))
        {
            var part = name[range];
            if (part.Length == 0 || (part.Length == 1 && part[0] == (byte)'.'))
                continue;
            if (part.Length == 2 && part[0] == (byte)'.' && part[1] == (byte)'.')
                throw new InvalidImageException($"{what}: path '{Escape.Bytes(name)}' leads outside the layer ('..')");
            if (part.Length > MaxComponent)
                throw new InvalidImageException($"{what}: path component longer than {MaxComponent} bytes in '{Escape.Bytes(name)}'");
            parts.Add(part.ToArray());
        }
        return parts;
    }
}
