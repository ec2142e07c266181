namespace LayerFs.Mount.Stack;

/// <summary>
/// One layer's directory entry for a merged directory: the layer's position in the stack
/// (0 = bottom) and the entry. A merged directory is a list of these, top layer first.
/// </summary>
internal readonly record struct DirLayer(int Position, long EntryId);
