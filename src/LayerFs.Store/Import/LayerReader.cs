using LayerFs.Store.Content;
using LayerFs.Store.Objects;
using LayerFs.Tar;

namespace LayerFs.Store.Import;

/// <summary>
/// Reads one layer blob in a single pass: the compressed bytes are hashed (and, for a compressed
/// blob the store does not hold yet, copied into the content store) while they are decompressed;
/// the tar is hashed (its diff_id) while it is indexed into entries and objects.
/// </summary>
internal sealed class LayerReader
{
    private readonly ContentStore _content;
    private readonly ObjectStore _objects;
    private readonly StoreChanges _changes;
    private readonly ImportOptions _options;
    private readonly Action<long> _progress;

    public LayerReader(ContentStore content, ObjectStore objects, StoreChanges changes, ImportOptions options, Action<long> progress)
    {
        _content = content;
        _objects = objects;
        _changes = changes;
        _options = options;
        _progress = progress;
    }

    public sealed record Result(Digest BlobDigest, Digest DiffId, long TarSize, bool BlobStored, PendingLayer? Layer);

    /// <param name="indexEntries">false when the layer (its diff_id) is already indexed and only the blob is new.</param>
    public Result Read(LayerBlob blob, string name, bool indexEntries)
    {
        var storeBlob = blob.Compression != Compression.None && (blob.BlobDigest is not { } known || !_content.Exists(known));
        using var ingest = storeBlob ? _content.BeginIngest() : null;
        using var source = blob.Files.Open(blob.Path);
        using var compressed = new HashingReadStream(source, ingest is null ? null : ingest.Write, _progress);
        using var decompressed = Compressions.Decompress(new NonClosingStream(compressed), blob.Compression);
        var tar = new HashingReadStream(decompressed)
        {
            Limit = total => CheckBomb(total, compressed.BytesRead, name),
        };

        PendingLayer? layer = null;
        try
        {
            if (indexEntries)
            {
                using var reader = new TarReader(tar, new TarReaderOptions(), leaveOpen: true);
                layer = new LayerIndexBuilder(_objects, _changes).Build(reader, name, default, () => tar.BytesRead);
            }
            tar.Drain();
            compressed.Drain();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidImageException($"{name}: corrupt {blob.Compression.ToString().ToLowerInvariant()} stream ({e.Message})", e);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidImageException($"{name}: truncated {blob.Compression.ToString().ToLowerInvariant()} stream", e);
        }
        catch (ZstdSharp.ZstdException e)
        {
            throw new InvalidImageException($"{name}: corrupt zstd stream ({e.Message})", e);
        }
        catch (TarFormatException e)
        {
            throw new InvalidImageException($"{name}: {e.Message}", e);
        }

        var blobDigest = compressed.Digest;
        if (compressed.BytesRead != blob.Size)
            throw new InvalidImageException($"{name}: blob has {compressed.BytesRead} bytes, but its descriptor says {blob.Size}");
        if (blob.BlobDigest is { } expected && expected != blobDigest)
            throw new InvalidImageException($"{name}: blob does not match its digest {expected} (content hashes to {blobDigest})");
        var diffId = tar.Digest;
        if (blob.ExpectedDiffId is { } expectedDiff && expectedDiff != diffId)
            throw new InvalidImageException($"{name}: uncompressed layer hashes to {diffId}, but the config's diff_id is {expectedDiff}");
        ingest?.Commit(blobDigest, compressed.BytesRead, _changes);
        if (layer is not null)
            layer = new PendingLayer
            {
                DiffId = diffId,
                TarSize = layer.TarSize,
                Entries = layer.Entries,
                Trailer = layer.Trailer,
                RecordCount = layer.RecordCount,
                Objects = layer.Objects,
            };
        return new Result(blobDigest, diffId, tar.BytesRead, storeBlob, layer);
    }

    private void CheckBomb(long uncompressed, long compressedSoFar, string name)
    {
        if (uncompressed > _options.MaxLayerSize)
            throw new InvalidImageException($"{name}: layer expands beyond the {_options.MaxLayerSize} byte limit");
        if (uncompressed > _options.BombFloor && uncompressed > _options.MaxCompressionRatio * Math.Max(compressedSoFar, 1))
            throw new InvalidImageException($"{name}: layer expands more than {_options.MaxCompressionRatio}:1 (a decompression bomb?); raise the limit with --max-ratio if it is genuine");
    }

    /// <summary>Keeps the decompressor from closing the hashing stream, which must still be drained.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
