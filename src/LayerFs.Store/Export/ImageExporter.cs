using LayerFs.Store.Content;
using LayerFs.Store.Index;
using LayerFs.Store.Model;
using Microsoft.Data.Sqlite;

namespace LayerFs.Store.Export;

/// <summary>
/// `layerfs export`: writes an image as an oci-archive or a docker-archive from the stored blobs
/// (a layer stored only uncompressed is rebuilt from the index). The archive is written beside
/// its destination and renamed into place only when complete, so a failed export leaves no file.
/// </summary>
internal sealed class ImageExporter
{
    private readonly StoreLayout _layout;
    private readonly SqliteConnection _db;
    private readonly ContentStore _content;

    public ImageExporter(StoreLayout layout, SqliteConnection db, ContentStore content)
    {
        _layout = layout;
        _db = db;
        _content = content;
    }

    public void Export(ImageInfo image, string? refName, string output, ExportFormat format)
    {
        var exported = new ExportedImage(
            image,
            _content.ReadAllVerified(image.Id),
            _content.ReadAllVerified(image.ManifestDigest),
            refName,
            layer => StoredLayerBlob.Open(_layout, _db, _content, layer),
            layer => new VerifyingStream(LayerTar.Load(_layout, _db, layer.DiffId).OpenRead(), layer.DiffId, layer.TarSize, $"layer {layer.DiffId}"));

        var full = Path.GetFullPath(output);
        if (Directory.Exists(full))
            throw new StoreException($"'{Escape.Text(output)}' is a directory; give the archive's file name");
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
            throw new StoreException($"cannot write '{Escape.Text(output)}': no directory {Escape.Text(dir)}");
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.layerfs-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                using (var tar = new ArchiveTar(file))
                {
                    if (format == ExportFormat.Oci)
                        OciArchiveWriter.Write(exported, tar);
                    else
                        DockerArchiveWriter.Write(exported, tar);
                    tar.Finish();
                }
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
