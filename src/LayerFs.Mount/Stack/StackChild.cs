using LayerFs.Store.Model;

namespace LayerFs.Mount.Stack;

/// <summary>
/// What a name resolves to in a stack: the entry of the topmost layer that holds it and, for a
/// directory, the directory entries of every layer that merge into it (top first).
/// </summary>
internal sealed class StackChild
{
    public StackChild(EntryRow top, int topPosition, DirLayer[]? layers, EntryRow attributes)
    {
        Top = top;
        TopPosition = topPosition;
        Layers = layers;
        Attributes = attributes;
    }

    public EntryRow Top { get; }

    public int TopPosition { get; }

    /// <summary>Null for a non-directory.</summary>
    public DirLayer[]? Layers { get; }

    public bool IsDirectory => Layers is not null;

    /// <summary>
    /// The entry whose metadata the node shows. For a directory, the topmost entry that the tar
    /// really holds: a directory a layer only implies (a parent it never named) keeps the metadata
    /// of the layer below. For anything else, <see cref="Top"/> (a hard link is resolved later).
    /// </summary>
    public EntryRow Attributes { get; }
}
