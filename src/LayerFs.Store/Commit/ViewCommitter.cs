using LayerFs.Store.Content;
using LayerFs.Store.Import;
using LayerFs.Store.Import.Sources;
using LayerFs.Store.Model;
using LayerFs.Store.Objects;
using LayerFs.Store.Oci;
using LayerFs.Store.Views;
using Microsoft.Data.Sqlite;

namespace LayerFs.Store.Commit;

/// <summary>What `layerfs commit` made.</summary>
public sealed record CommitResult(Digest ImageId, string Tag, Digest DiffId, Digest BlobDigest, long BlobSize, long TarSize, bool LayerNew);

/// <summary>
/// `layerfs commit`: a view's changes become a gzip layer blob (in ingest/), then an image made of
/// the parent image's layers plus that blob, with the parent's config extended by the new layer
/// and a history entry. The image goes through the import pipeline, exactly as if it were
/// imported: the blob is verified and stored, its tar indexed (entries, objects, tar-split
/// records), config and manifest stored, and everything recorded in one index transaction,
/// rolled back on failure. The caller holds the store lock.
/// </summary>
internal sealed class ViewCommitter
{
    private readonly StoreLayout _layout;
    private readonly SqliteConnection _db;
    private readonly ContentStore _content;
    private readonly ObjectStore _objects;

    public ViewCommitter(StoreLayout layout, SqliteConnection db, ContentStore content, ObjectStore objects)
    {
        _layout = layout;
        _db = db;
        _content = content;
        _objects = objects;
    }

    public CommitResult Commit(ImageInfo parent, byte[] parentConfig, IViewChanges changes, string tag, string? message, DateTimeOffset created)
    {
        var path = Path.Combine(_layout.IngestDir, $"commit-{Environment.ProcessId}-{Guid.NewGuid():N}.tar.gz");
        try
        {
            var blob = LayerBlobWriter.Write(changes.Enumerate(), path);
            var layerNew = !LayerExists(blob.DiffId);
            var isDocker = parent.ManifestMediaType == MediaTypes.DockerManifest;
            var config = CommitConfig.Make(parentConfig, blob.DiffId, message, created);

            using var parentLayers = new StoredLayerFiles(_layout, _db, _content, parent.Layers);
            using var newLayer = new SingleFile(blob.Path);
            var candidate = new ImageCandidate
            {
                Layers =
                [
                    .. parent.Layers.Select(l => new LayerBlob(l.MediaType, l.BlobDigest, l.BlobSize, MediaTypes.LayerCompression(l.MediaType) ?? Compression.None, parentLayers, l.BlobDigest.ToString())
                    {
                        ExpectedDiffId = l.DiffId,
                    }),
                    new LayerBlob(isDocker ? MediaTypes.DockerLayerGzip : MediaTypes.OciLayerGzip, blob.BlobDigest, blob.BlobSize, Compression.Gzip, newLayer, SingleFile.Name)
                    {
                        ExpectedDiffId = blob.DiffId,
                    },
                ],
                Tags = [tag],
                ConfigBytes = config,
                GeneratedManifestMediaType = isDocker ? MediaTypes.DockerManifest : MediaTypes.OciManifest,
            };
            // The blob is our own: no decompression-bomb guard (a view may well hold a large file of zeros).
            var options = new ImportOptions { MaxLayerSize = long.MaxValue, MaxCompressionRatio = double.PositiveInfinity };
            var result = new ImageImporter(_layout, _db, _content, _objects).Import([candidate], options);
            var image = result.Images.Single();
            return new CommitResult(image.Id, tag, blob.DiffId, blob.BlobDigest, blob.BlobSize, blob.TarSize, layerNew);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private bool LayerExists(Digest diffId)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM layers WHERE diff_id = $d";
        cmd.Parameters.AddWithValue("$d", diffId.ToString());
        return cmd.ExecuteScalar() is not null;
    }
}
