namespace LayerFs.Fuse;

/// <summary>
/// Packs directory entries into the reply buffer of one READDIR or READDIRPLUS request
/// (struct fuse_dirent / fuse_direntplus, 8-byte aligned). The binding creates one per
/// request over its pooled buffer.
/// </summary>
public abstract class FuseDirectoryWriter
{
    /// <summary>
    /// READDIR: adds one entry. nextOffset is the cookie the kernel passes back to continue
    /// after this entry. Returns false (and adds nothing) when the reply is full.
    /// </summary>
    public abstract bool Add(ReadOnlySpan<byte> name, ulong ino, uint mode, long nextOffset);

    /// <summary>
    /// READDIRPLUS: adds one entry with its full lookup answer. Returns false (and adds nothing,
    /// so the lookup is not counted) when the reply is full.
    /// </summary>
    public abstract bool AddPlus(ReadOnlySpan<byte> name, in FuseEntry entry, long nextOffset);
}
