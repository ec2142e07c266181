using System.Security.Cryptography;

namespace LayerFs.Store.Content;

/// <summary>
/// The content store, as containerd's: blobs/sha256/HEX. Every write goes through an ingest
/// file in ingest/, hashed while written, and is renamed into place only when digest and size
/// check out, so nothing half-written is ever visible under blobs/. Reads verify.
/// </summary>
public sealed class ContentStore
{
    private readonly StoreLayout _layout;

    public ContentStore(StoreLayout layout) => _layout = layout;

    public bool Exists(Digest digest) => File.Exists(_layout.BlobPath(digest));

    public string PathOf(Digest digest) => _layout.BlobPath(digest);

    public long SizeOf(Digest digest) => new FileInfo(_layout.BlobPath(digest)).Length;

    /// <summary>Starts writing a blob whose digest is checked at <see cref="BlobIngest.Commit"/>.</summary>
    public BlobIngest BeginIngest() => new(_layout);

    /// <summary>Stores a small blob held in memory (manifests, configs).</summary>
    public void Put(Digest digest, ReadOnlySpan<byte> data, StoreChanges changes)
    {
        if (Digest.Of(data) != digest)
            throw new InvalidImageException($"blob {digest} does not match its content");
        if (Exists(digest))
            return;
        using var ingest = BeginIngest();
        ingest.Write(data);
        ingest.Commit(digest, data.Length, changes);
    }

    /// <summary>Reads a whole blob of at most maxSize bytes and checks it against its digest.</summary>
    public byte[] ReadAllVerified(Digest digest, long maxSize = 16 << 20)
    {
        var path = _layout.BlobPath(digest);
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new StoreException($"blob {digest} is missing from the store");
        if (info.Length > maxSize)
            throw new StoreException($"blob {digest} is larger than {maxSize} bytes");
        var data = File.ReadAllBytes(path);
        if (Digest.Of(data) != digest)
            throw new StoreException($"blob {digest} is corrupt: its content no longer matches its digest");
        return data;
    }

    /// <summary>A stream over a blob that throws at the end if the content does not match the digest.</summary>
    public Stream OpenVerified(Digest digest)
    {
        var path = _layout.BlobPath(digest);
        if (!File.Exists(path))
            throw new StoreException($"blob {digest} is missing from the store");
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return new VerifyingStream(file, digest, file.Length, $"blob {digest}");
    }

    /// <summary>Hashes a stored blob: null if it is sound, else what is wrong.</summary>
    public string? Check(Digest digest)
    {
        var path = _layout.BlobPath(digest);
        if (!File.Exists(path))
            return $"blob {digest} is missing";
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var hash = SHA256.HashData(file);
        return Digest.FromHash(hash) == digest ? null : $"blob {digest} is corrupt (content hashes to {Digest.FromHash(hash)})";
    }

    public IEnumerable<Digest> List()
    {
        if (!Directory.Exists(_layout.BlobsDir))
            yield break;
        foreach (var path in Directory.EnumerateFiles(_layout.BlobsDir))
            if (Digest.TryParseHex(Path.GetFileName(path), out var digest))
                yield return digest;
    }

    public void Delete(Digest digest) => File.Delete(_layout.BlobPath(digest));
}
