using System.Security.Cryptography;

namespace LayerFs.Store.Objects;

/// <summary>
/// The contents of regular files, one immutable read-only file per distinct content, named by
/// its sha256 (objects/XX/HEX), shared by every layer and image that holds it (as composefs).
/// A file in a mounted rootfs reads straight from its object, which is what lets the kernel
/// serve it by FUSE passthrough.
/// </summary>
public sealed class ObjectStore
{
    /// <summary>Contents up to this size are hashed in memory first, so a duplicate is never written at all.</summary>
    private const int InMemoryLimit = 1 << 20;

    private static readonly UnixFileMode ObjectMode = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly StoreLayout _layout;

    public ObjectStore(StoreLayout layout) => _layout = layout;

    public string PathOf(ReadOnlySpan<byte> hash) => _layout.ObjectPath(hash);

    public bool Exists(ReadOnlySpan<byte> hash) => File.Exists(_layout.ObjectPath(hash));

    /// <summary>Stores content held in memory and returns its sha256. Thread-safe.</summary>
    public byte[] PutBytes(ReadOnlySpan<byte> content, StoreChanges changes)
    {
        var hash = SHA256.HashData(content);
        var target = _layout.ObjectPath(hash);
        if (!HasObject(target, content.Length))
            Publish(target, changes, content);
        return hash;
    }

    /// <summary>
    /// Stores exactly <paramref name="size"/> bytes read from <paramref name="data"/> and returns
    /// their sha256. <paramref name="scratch"/> is a reusable buffer of at least 1 MiB.
    /// </summary>
    public byte[] Put(Stream data, long size, byte[] scratch, StoreChanges changes)
    {
        if (size <= InMemoryLimit && scratch.Length >= size)
        {
            var span = scratch.AsSpan(0, (int)size);
            ReadExactly(data, span);
            var hash = SHA256.HashData(span);
            var target = _layout.ObjectPath(hash);
            if (!HasObject(target, size))
                Publish(target, changes, span);
            return hash;
        }
        return PutLarge(data, size, scratch, changes);
    }

    private byte[] PutLarge(Stream data, long size, byte[] scratch, StoreChanges changes)
    {
        var temp = Path.Combine(_layout.IngestDir, $"object-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            byte[] hash;
            using (var file = new FileStream(temp, CreateOptions(size)))
            using (var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                long offset = 0;
                while (offset < size)
                {
                    var want = (int)Math.Min(scratch.Length, size - offset);
                    var n = data.Read(scratch, 0, want);
                    if (n <= 0)
                        throw new EndOfStreamException("unexpected end of data");
                    hasher.AppendData(scratch, 0, n);
                    file.Write(scratch, 0, n);
                    offset += n;
                }
                hash = hasher.GetHashAndReset();
            }
            var target = _layout.ObjectPath(hash);
            if (HasObject(target, size))
            {
                File.Delete(temp);
            }
            else
            {
                File.Move(temp, target, overwrite: true);
                changes.Created(target);
            }
            return hash;
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// An object that exists with the right size is trusted (it was renamed into place only when
    /// complete); a wrong size can only be what a power loss left, and is replaced.
    /// </summary>
    /// <summary>Objects are created read-only (0444) straight away: no chmod per file.</summary>
    private static FileStreamOptions CreateOptions(long size) => new()
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        Share = FileShare.None,
        BufferSize = 0,
        PreallocationSize = size > (1 << 20) ? size : 0,
        UnixCreateMode = ObjectMode,
    };

    private static bool HasObject(string path, long size)
    {
        var info = new FileInfo(path);
        return info.Exists && info.Length == size;
    }

    private void Publish(string target, StoreChanges changes, ReadOnlySpan<byte> content)
    {
        // Written beside its final name: the rename stays within one directory, and writers
        // spread over the 256 fan-out directories instead of all queueing on ingest/. A killed
        // import may leave such a temporary file; prune removes every file that is no object.
        var temp = target + $".tmp-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}";
        try
        {
            using (var file = new FileStream(temp, CreateOptions(content.Length)))
                file.Write(content);
            File.Move(temp, target, overwrite: true);
            changes.Created(target);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static void ReadExactly(Stream data, Span<byte> span)
    {
        try
        {
            data.ReadExactly(span);
        }
        catch (EndOfStreamException)
        {
            throw new EndOfStreamException("unexpected end of data");
        }
    }

    /// <summary>Re-hashes an object: null if sound, else what is wrong.</summary>
    public string? Check(ReadOnlySpan<byte> hash, long size)
    {
        var path = _layout.ObjectPath(hash);
        var hex = Convert.ToHexStringLower(hash);
        var info = new FileInfo(path);
        if (!info.Exists)
            return $"object {hex} is missing";
        if (info.Length != size)
            return $"object {hex} has {info.Length} bytes, expected {size}";
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var actual = SHA256.HashData(file);
        return actual.AsSpan().SequenceEqual(hash) ? null : $"object {hex} is corrupt";
    }

    public IEnumerable<string> ListHex()
    {
        if (!Directory.Exists(_layout.ObjectsDir))
            yield break;
        foreach (var dir in Directory.EnumerateDirectories(_layout.ObjectsDir))
            foreach (var path in Directory.EnumerateFiles(dir))
            {
                var name = Path.GetFileName(path);
                if (name.Length == 64)
                    yield return name;
            }
    }
}
