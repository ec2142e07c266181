using System.Security.Cryptography;

namespace LayerFs.Store.Content;

/// <summary>
/// One blob being written: a file in ingest/ that is hashed as it grows. Commit checks digest
/// and size and renames it into blobs/; Dispose without Commit deletes it.
/// </summary>
public sealed class BlobIngest : IDisposable
{
    private readonly StoreLayout _layout;
    private readonly string _path;
    private readonly FileStream _file;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _length;
    private bool _done;

    internal BlobIngest(StoreLayout layout)
    {
        _layout = layout;
        _path = Path.Combine(layout.IngestDir, $"blob-{Environment.ProcessId}-{Guid.NewGuid():N}");
        _file = new FileStream(_path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 1 << 16,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        });
    }

    public long Length => _length;

    public void Write(ReadOnlySpan<byte> data)
    {
        _file.Write(data);
        _hash.AppendData(data);
        _length += data.Length;
    }

    /// <summary>
    /// Verifies and publishes the blob. If a blob of that digest already exists (imported
    /// before, or by a writer that got there first) the new copy is dropped and the old one shared.
    /// </summary>
    public void Commit(Digest expected, long expectedSize, StoreChanges changes)
    {
        var actual = Digest.FromHash(_hash.GetHashAndReset());
        if (_length != expectedSize)
            throw new InvalidImageException($"blob {expected} has {_length} bytes, but its descriptor says {expectedSize}");
        if (actual != expected)
            throw new InvalidImageException($"blob {expected} does not match its content (content hashes to {actual})");
        _file.Flush(flushToDisk: false);
        _file.Dispose();
        var target = _layout.BlobPath(expected);
        if (File.Exists(target))
        {
            File.Delete(_path);
        }
        else
        {
            File.Move(_path, target, overwrite: false);
            changes.Created(target);
        }
        _done = true;
    }

    public void Dispose()
    {
        _hash.Dispose();
        if (_done)
            return;
        _file.Dispose();
        File.Delete(_path);
        _done = true;
    }
}
