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
    /// images/, layers/ and views/ change with every import, tag, rmi and view command, and each
    /// answer checks the index generation first. The kernel may keep these names for the
    /// shortest time it knows (the timeout rounds up to one jiffy, and the kernel trusts the name
    /// until the jiffy after): not zero, because every path through images/&lt;tag&gt;/ (ls -lR
    /// stats each file by its full path, three times with its xattrs) would otherwise cost a
    /// LOOKUP round trip. The store's writers wait out <see cref="LayerFs.Store.Index.StoreDatabase.ReaderStaleness"/>
    /// after each change, which is longer, so a change still shows once the command returns.
    /// </summary>
    public static readonly TimeSpan Catalog = TimeSpan.FromTicks(1);
}
