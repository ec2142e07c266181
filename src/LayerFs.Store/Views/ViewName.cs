using System.Text.RegularExpressions;

namespace LayerFs.Store.Views;

/// <summary>
/// View names become directory names (MNT/views/NAME, STORE/views/NAME) and device-mapper names,
/// so they are restricted to a safe alphabet, as docker restricts container names.
/// </summary>
public static partial class ViewName
{
    public const int MaxLength = 64;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex Allowed();

    public static void Validate(string name)
    {
        if (name.Length is 0 or > MaxLength || !Allowed().IsMatch(name))
            throw new StoreException($"invalid view name '{Escape.Text(name)}': use 1 to {MaxLength} characters from [A-Za-z0-9_.-], starting with a letter or digit");
    }
}
