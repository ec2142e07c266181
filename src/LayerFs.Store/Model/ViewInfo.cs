namespace LayerFs.Store.Model;

/// <summary>A writable view over an image, as the index records it; its storage belongs to its snapshotter.</summary>
public sealed record ViewInfo(string Name, Digest ImageId, string Snapshotter, DateTimeOffset CreatedAt);
