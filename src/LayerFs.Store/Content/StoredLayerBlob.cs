using LayerFs.Store.Model;
using Microsoft.Data.Sqlite;

namespace LayerFs.Store.Content;

/// <summary>
/// A layer blob as an image's manifest names it, read back from the store: the compressed blob
/// from blobs/, or, for a layer whose blob is the uncompressed tar itself (stored only as index
/// and objects), that tar rebuilt from the index. Either way the bytes are checked against the
/// blob digest as they are read, so nothing corrupt leaves the store unnoticed.
/// </summary>
internal static class StoredLayerBlob
{
    public static Stream Open(StoreLayout layout, SqliteConnection db, ContentStore content, ImageLayerInfo layer)
    {
        var what = $"layer blob {layer.BlobDigest}";
        if (content.Exists(layer.BlobDigest))
        {
            if (content.SizeOf(layer.BlobDigest) != layer.BlobSize)
                throw new StoreException($"{what} has {content.SizeOf(layer.BlobDigest)} bytes, but its manifest says {layer.BlobSize} (run 'layerfs verify')");
            return content.OpenVerified(layer.BlobDigest);
        }
        if (layer.BlobDigest == layer.DiffId)
        {
            var tar = Index.LayerTar.Load(layout, db, layer.DiffId);
            return new VerifyingStream(tar.OpenRead(), layer.BlobDigest, layer.BlobSize, what);
        }
        throw new StoreException($"{what} is missing from the store (run 'layerfs verify')");
    }
}
