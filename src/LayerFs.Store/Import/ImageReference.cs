using System.Text.RegularExpressions;

namespace LayerFs.Store.Import;

/// <summary>NAME:TAG references as docker spells them; '/' in NAME nests directories under images/.</summary>
public static partial class ImageReference
{
    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")]
    private static partial Regex ComponentPattern();

    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?$")]
    private static partial Regex DomainPattern();

    /// <summary>"name" becomes "name:latest"; throws StoreException on anything malformed.</summary>
    public static string Normalise(string reference)
    {
        if (!TryNormalise(reference, out var normalised, out var error))
            throw new StoreException(error);
        return normalised;
    }

    public static bool TryNormalise(string reference, out string normalised, out string error)
    {
        normalised = "";
        error = "";
        var slash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        string name, tag;
        if (colon > slash)
        {
            name = reference[..colon];
            tag = reference[(colon + 1)..];
        }
        else
        {
            name = reference;
            tag = "latest";
        }
        if (reference.Contains('@', StringComparison.Ordinal))
        {
            error = $"invalid image name '{Escape.Text(reference)}': digests (@sha256:...) are not tags; use NAME:TAG";
            return false;
        }
        if (!TagPattern().IsMatch(tag))
        {
            error = $"invalid tag '{Escape.Text(tag)}' in '{Escape.Text(reference)}'";
            return false;
        }
        var parts = name.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            var ok = ComponentPattern().IsMatch(parts[i]) || (i == 0 && parts.Length > 1 && DomainPattern().IsMatch(parts[i]) && parts[i] is not "." and not "..");
            if (!ok)
            {
                error = $"invalid image name '{Escape.Text(reference)}' (expected NAME:TAG, lowercase name components separated by '/')";
                return false;
            }
        }
        if (name.Length > 255)
        {
            error = $"image name '{Escape.Text(reference)}' is too long";
            return false;
        }
        normalised = name + ":" + tag;
        return true;
    }

    /// <summary>The repository part of a normalised NAME:TAG.</summary>
    public static string Repository(string normalised) => normalised[..normalised.LastIndexOf(':')];
}
