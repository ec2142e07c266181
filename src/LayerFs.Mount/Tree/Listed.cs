namespace LayerFs.Mount.Tree;

/// <summary>
/// One name of a directory listing: what READDIR needs (name, st_ino, type). READDIRPLUS turns it
/// into a node through <see cref="Node.Materialize"/>, which directories with data at hand
/// (merged layer directories) override to avoid a second lookup.
/// </summary>
internal class Listed
{
    public Listed(byte[] name, ulong ino, uint type)
    {
        Name = name;
        Ino = ino;
        Type = type;
    }

    public byte[] Name { get; }

    public ulong Ino { get; }

    /// <summary>The S_IFMT bits of the mode.</summary>
    public uint Type { get; }
}
