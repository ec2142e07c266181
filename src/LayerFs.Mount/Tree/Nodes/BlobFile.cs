using LayerFs.Fuse;
using LayerFs.Store;
using LayerFs.Store.Leases;

namespace LayerFs.Mount.Tree.Nodes;

/// <summary>An image's json (its config) or manifest.json: the blob from the content store, byte for byte.</summary>
internal sealed class BlobFile : GeneratedFile
{
    private readonly Digest _digest;

    public BlobFile(string what, Digest digest, long mtime) : base(what, mtime)
    {
        _digest = digest;
    }

    public override LeaseKey? Lease => LeaseKey.Blob(_digest);

    protected override int Size(TreeContext tree, out long size)
    {
        size = 0;
        try
        {
            size = tree.Content.SizeOf(_digest);
            return 0;
        }
        catch (FileNotFoundException)
        {
            return Errno.ENOENT;
        }
    }

    public override int Open(TreeContext tree, out OpenFile? file)
    {
        file = null;
        try
        {
            file = new BytesFile(tree.Content.ReadAllVerified(_digest));
            return 0;
        }
        catch (StoreException e)
        {
            Serilog.Log.Warning("{Blob}: {Error}", _digest, e.Message);
            return Errno.EIO;
        }
    }
}
