using LayerFs.Store.Export;
using LayerFs.Store.Import;
using LayerFs.Store.Model;

namespace LayerFs.Store;

/// <summary>`layerfs export`: an image as an oci-archive or a docker-archive.</summary>
public sealed partial class ImageStore
{
    /// <summary>
    /// Writes REF to <paramref name="output"/>. The archive names the image by REF when REF is
    /// one of its tags, else by its first tag (an untagged image gets no name). The store lock is
    /// held shared, so no rmi or prune removes a blob while it is being read.
    /// </summary>
    public ImageInfo Export(string reference, string output, ExportFormat format)
    {
        using var storeLock = StoreLock.Shared(Layout);
        var image = Resolve(reference);
        var refName = ImageReference.TryNormalise(reference, out var tag, out _) && image.Tags.Contains(tag) ? tag : image.Tags.FirstOrDefault();
        new ImageExporter(Layout, _db, Content).Export(image, refName, output, format);
        return image;
    }
}
