namespace LayerFs.Fuse.Protocol;

/// <summary>
/// Names the C struct of &lt;linux/fuse.h&gt; that a wire struct mirrors. The layout test finds every
/// struct carrying this attribute and checks its size and the offset of each field against the
/// header (field names match the C names when case and underscores are ignored).
/// </summary>
[AttributeUsage(AttributeTargets.Struct, Inherited = false)]
internal sealed class WireStructAttribute : Attribute
{
    public WireStructAttribute(string cName) => CName = cName;

    public string CName { get; }
}
