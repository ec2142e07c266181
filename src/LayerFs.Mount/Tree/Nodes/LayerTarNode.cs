using LayerFs.Fuse;
using LayerFs.Store;
using LayerFs.Store.Index;
using LayerFs.Store.Leases;
using LayerFs.Store.Model;

namespace LayerFs.Mount.Tree.Nodes;

/// <summary>
/// layers/&lt;chain&gt;/layer.tar: the layer's uncompressed tar, rebuilt bit for bit from the
/// index (raw headers) and the objects (contents), so its sha256 is the diff_id.
/// </summary>
internal sealed class LayerTarNode : GeneratedFile
{
    private readonly ChainInfo _chain;

    public LayerTarNode(ChainInfo chain, long mtime) : base($"layer-tar:{chain.DiffId.Hex}:{chain.LayerId}", mtime)
    {
        _chain = chain;
    }

    public override LeaseKey? Lease => LeaseKey.Chain(_chain.ChainId);

    protected override int Size(TreeContext tree, out long size)
    {
        size = 0;
        if (tree.Reader.LayerTarSize(_chain.LayerId) is not { } known)
            return Errno.ENOENT;
        size = known;
        return 0;
    }

    public override int Open(TreeContext tree, out OpenFile? file)
    {
        file = null;
        try
        {
            file = new LayerTarFile(LayerTar.Load(tree.Layout, tree.Reader.Connection, _chain.DiffId));
            return 0;
        }
        catch (StoreException)
        {
            return Errno.ENOENT;
        }
    }
}
