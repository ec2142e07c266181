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
    /// images/ and layers/ change with every import, tag and rmi, and each
    /// answer checks the index generation first. The kernel may keep these names for the
    /// shortest time it knows (the timeout rounds up to one jiffy, and the kernel trusts the name
    /// until the jiffy after): not zero, because every path through images/&lt;tag&gt;/ (ls -lR
    /// stats each file by its full path, three times with its xattrs) would otherwise cost a
    /// LOOKUP round trip. The store's writers wait out <see cref="LayerFs.Store.Index.StoreDatabase.ReaderStaleness"/>
    /// after each change, which is longer, so a change still shows once the command returns.
    /// </summary>
    public static readonly TimeSpan Catalog = TimeSpan.FromTicks(1);

    /// <summary>views/ and its views' own names: not cached at all (writable trees are another matter).</summary>
    public static readonly TimeSpan Views = TimeSpan.Zero;

    /// <summary>
    /// The absence of a name in images/, layers/ or views/ is not cached at all: no walk depends
    /// on a miss there, and a new tag shows to the very next lookup.
    /// </summary>
    public static readonly TimeSpan CatalogAbsence = TimeSpan.Zero;
}
