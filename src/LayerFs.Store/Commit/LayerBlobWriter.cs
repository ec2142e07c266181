using System.IO.Compression;
using LayerFs.Store.Content;
using LayerFs.Store.Views;
using LayerFs.Tar;

namespace LayerFs.Store.Commit;

/// <summary>A layer blob made from a view's changes: where it was written, and what identifies it.</summary>
internal sealed record CommittedLayerBlob(string Path, Digest DiffId, long TarSize, Digest BlobDigest, long BlobSize);

/// <summary>
/// Writes a view's changes as a gzip-compressed layer tar into a file, hashing the tar (the
/// diff_id) and the gzip (the blob digest) on the way. The gzip is deterministic: a fixed level
/// and strategy, and a header with no file name and no time (zlib's default header), so the same
/// changes give the same blob, which the store then holds once.
/// </summary>
internal static class LayerBlobWriter
{
    /// <summary>zlib's default level: what docker and containerd use for layers.</summary>
    public const int GzipLevel = 6;

    public static CommittedLayerBlob Write(IEnumerable<ViewChange> changes, string path)
    {
        using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 1 << 16,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var blob = new HashingWriteStream(file, leaveOpen: true);
        Digest diffId;
        long tarSize;
        using (var gzip = new GZipStream(blob, new ZLibCompressionOptions { CompressionLevel = GzipLevel, CompressionStrategy = ZLibCompressionStrategy.Default }, leaveOpen: true))
        using (var tarStream = new HashingWriteStream(gzip, leaveOpen: true))
        {
            using (var tar = new TarWriter(tarStream, leaveOpen: true))
            {
                ChangeTarWriter.Write(changes, tar);
                tar.Finish();
            }
            diffId = tarStream.Digest;
            tarSize = tarStream.BytesWritten;
        }
        blob.Flush();
        return new CommittedLayerBlob(path, diffId, tarSize, blob.Digest, blob.BytesWritten);
    }
}
