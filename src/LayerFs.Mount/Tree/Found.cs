using LayerFs.Fuse;

namespace LayerFs.Mount.Tree;

/// <summary>A name resolved to a node, with the attributes to answer the kernel with.</summary>
internal readonly record struct Found(Node Node, FuseAttr Attr);
