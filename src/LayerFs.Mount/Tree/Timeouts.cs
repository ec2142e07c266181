namespace LayerFs.Mount.Tree;

/// <summary>How long the kernel may cache names and attributes.</summary>
internal static class Timeouts
{
    /// <summary>
    /// Image and layer trees never change, so the kernel may keep them (and the absence of a
    /// name in them) as long as it likes; a day is what passthrough_hp uses for "forever".
    /// </summary>
    public static readonly TimeSpan Immutable = TimeSpan.FromDays(1);

    /// <summary>
    /// images/ and layers/ change with every import, tag and rmi: the kernel asks again each time,
    /// and each answer checks the index generation first, so changes show at once.
    /// </summary>
    public static readonly TimeSpan Catalog = TimeSpan.Zero;
}
