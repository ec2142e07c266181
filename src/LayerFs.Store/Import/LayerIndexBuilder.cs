using System.Text;
using LayerFs.Store.Model;
using LayerFs.Store.Objects;
using LayerFs.Tar;

namespace LayerFs.Store.Import;

/// <summary>
/// Reads one layer's tar and turns it into index entries (a tree keyed by parent and name) plus
/// objects for the file contents. Every tar record becomes exactly one entry, in order, with the
/// raw bytes that precede its data, so the tar can be rebuilt bit for bit; parent directories the
/// tar never names become implicit entries. Anything that could reach outside the layer, and any
/// record that contradicts an earlier one, is refused.
/// </summary>
internal sealed class LayerIndexBuilder
{
    private static readonly byte[] WhiteoutPrefix = ".wh."u8.ToArray();
    private static readonly byte[] OpaqueName = ".wh..wh..opq"u8.ToArray();
    private const int MaxXattrValue = 64 * 1024;

    private readonly ObjectStore _objects;
    private readonly StoreChanges _changes;
    private readonly byte[] _scratch = new byte[1 << 20];
    private readonly List<PendingEntry> _entries = [];
    private readonly Dictionary<string, int> _byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (byte[] Hash, long Size)> _layerObjects = new(StringComparer.Ordinal);
    private string _layerName = "";

    public LayerIndexBuilder(ObjectStore objects, StoreChanges changes)
    {
        _objects = objects;
        _changes = changes;
    }

    public PendingLayer Build(TarReader reader, string layerName, Digest diffId, Func<long> tarSize)
    {
        _layerName = layerName;
        _entries.Clear();
        _byPath.Clear();
        _layerObjects.Clear();
        _entries.Add(new PendingEntry { Kind = EntryKind.Directory, Mode = 0b111_101_101, Flags = EntryFlags.Implicit });
        _byPath[""] = 0;

        var seq = 0;
        using (var writer = new ObjectWriter(_objects, _changes, workers: Math.Max(1, Environment.ProcessorCount - 1)))
        {
            while (true)
            {
                TarEntry? entry;
                try
                {
                    entry = reader.Next();
                }
                catch (TarFormatException e)
                {
                    throw new InvalidImageException($"{_layerName}: {e.Message}", e);
                }
                if (entry is null)
                    break;
                Add(entry, reader, seq++, writer);
            }
            writer.Complete();
        }
        // Contents were stored asynchronously: a hard link takes its object only now.
        foreach (var e in _entries)
            if (e.HardLink >= 0)
                e.Object = _entries[e.HardLink].Object;

        return new PendingLayer
        {
            DiffId = diffId,
            TarSize = tarSize(),
            Entries = [.. _entries],
            Trailer = reader.Trailer,
            RecordCount = seq,
            Objects = new Dictionary<string, (byte[], long)>(_layerObjects, StringComparer.Ordinal),
        };
    }

    private void Add(TarEntry tar, TarReader reader, int seq, ObjectWriter writer)
    {
        var what = $"{_layerName}: entry '{Escape.Bytes(tar.Name)}'";
        var parts = LayerPath.Split(tar.Name, what);
        if (tar.Size > 0 && tar.Type != TarEntryType.Regular)
            throw new InvalidImageException($"{what}: a {Describe(tar.Type)} record must not carry data");
        if (tar.Uid is < 0 or > uint.MaxValue || tar.Gid is < 0 or > uint.MaxValue)
            throw new InvalidImageException($"{what}: owner {tar.Uid}:{tar.Gid} is out of range");

        if (parts.Count == 0)
        {
            AddRoot(tar, seq, what);
            return;
        }

        var baseName = parts[^1];
        var flags = EntryFlags.None;
        if (baseName.AsSpan().StartsWith(WhiteoutPrefix))
        {
            if (baseName.Length == WhiteoutPrefix.Length)
                throw new InvalidImageException($"{what}: a bare '.wh.' name is neither a whiteout nor an opaque marker");
            flags = baseName.AsSpan().SequenceEqual(OpaqueName) ? EntryFlags.OpaqueMarker : EntryFlags.Whiteout;
        }
        var isMarker = flags != EntryFlags.None;
        var parent = EnsureParents(parts, isMarker, what);
        var key = Key(parts);

        PendingEntry entry;
        if (_byPath.TryGetValue(key, out var existing))
        {
            entry = _entries[existing];
            var upgradesImplicitDir = (entry.Flags & EntryFlags.Implicit) != 0 && tar.Type == TarEntryType.Directory && !isMarker;
            if (!upgradesImplicitDir)
                throw new InvalidImageException($"{what}: duplicate entry (the layer already has this path)");
            entry.Flags &= ~EntryFlags.Implicit;
        }
        else
        {
            entry = new PendingEntry { Parent = parent, Name = baseName };
            _byPath[key] = _entries.Count;
            _entries.Add(entry);
        }

        entry.Flags |= flags;
        Fill(entry, tar, seq);
        if (flags == EntryFlags.OpaqueMarker)
            _entries[parent].Flags |= EntryFlags.Opaque;

        switch (tar.Type)
        {
            case TarEntryType.Regular:
                StoreContent(entry, reader, tar, what, writer);
                break;
            case TarEntryType.HardLink:
                if (!isMarker)
                    LinkTo(entry, tar, what);
                break;
            case TarEntryType.Symlink:
                if (tar.LinkName.Length == 0)
                    throw new InvalidImageException($"{what}: symlink with an empty target");
                if (tar.LinkName.AsSpan().IndexOf((byte)0) >= 0)
                    throw new InvalidImageException($"{what}: NUL byte in symlink target");
                break;
        }
    }

    private void AddRoot(TarEntry tar, int seq, string what)
    {
        var root = _entries[0];
        if (tar.Type != TarEntryType.Directory)
            throw new InvalidImageException($"{what}: the layer root must be a directory, not a {Describe(tar.Type)}");
        if (root.TarSeq >= 0)
            throw new InvalidImageException($"{what}: duplicate entry for the layer root");
        root.Flags &= ~EntryFlags.Implicit;
        Fill(root, tar, seq);
    }

    private void Fill(PendingEntry entry, TarEntry tar, int seq)
    {
        entry.Kind = tar.Type switch
        {
            TarEntryType.Regular => EntryKind.Regular,
            TarEntryType.HardLink => EntryKind.HardLink,
            TarEntryType.Symlink => EntryKind.Symlink,
            TarEntryType.CharDevice => EntryKind.CharDevice,
            TarEntryType.BlockDevice => EntryKind.BlockDevice,
            TarEntryType.Directory => EntryKind.Directory,
            TarEntryType.Fifo => EntryKind.Fifo,
            _ => throw new InvalidImageException($"{_layerName}: entry '{Escape.Bytes(tar.Name)}': unsupported entry type"),
        };
        entry.Mode = tar.Mode & 0xFFF;
        entry.Uid = tar.Uid;
        entry.Gid = tar.Gid;
        entry.Size = tar.Size;
        entry.MTime = tar.MTimeSeconds;
        entry.MTimeNs = tar.MTimeNanoseconds;
        if (tar.Type is TarEntryType.CharDevice or TarEntryType.BlockDevice)
        {
            // Linux dev_t holds a 12-bit major and a 20-bit minor.
            if (tar.DevMajor is < 0 or > 0xFFF || tar.DevMinor is < 0 or > 0xFFFFF)
                throw new InvalidImageException($"{_layerName}: entry '{Escape.Bytes(tar.Name)}': device number {tar.DevMajor}:{tar.DevMinor} is out of range");
            entry.DevMajor = tar.DevMajor;
            entry.DevMinor = tar.DevMinor;
        }
        if (tar.Type is TarEntryType.Symlink or TarEntryType.HardLink)
            entry.Link = tar.LinkName;
        entry.TarSeq = seq;
        entry.TarRaw = tar.RawBefore;
        foreach (var (name, value) in tar.Xattrs)
        {
            if (name.Length == 0 || name.Length > 255)
                throw new InvalidImageException($"{_layerName}: entry '{Escape.Bytes(tar.Name)}': invalid xattr name");
            if (value.Length > MaxXattrValue)
                throw new InvalidImageException($"{_layerName}: entry '{Escape.Bytes(tar.Name)}': xattr {Escape.Text(name)} is larger than {MaxXattrValue} bytes");
        }
        entry.Xattrs = tar.Xattrs;
    }

    private void StoreContent(PendingEntry entry, TarReader reader, TarEntry tar, string what, ObjectWriter writer)
    {
        try
        {
            if (tar.Size <= ObjectWriter.MaxQueuedSize)
            {
                var size = tar.Size;
                writer.Enqueue(reader.Data, (int)size, hash =>
                {
                    entry.Object = hash;
                    Remember(hash, size);
                });
                return;
            }
            Remember(entry.Object = _objects.Put(reader.Data, tar.Size, _scratch, _changes), tar.Size);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidImageException($"{what}: truncated ({e.Message})", e);
        }
        catch (TarFormatException e)
        {
            throw new InvalidImageException($"{_layerName}: {e.Message}", e);
        }
    }

    private void Remember(byte[] hash, long size)
    {
        lock (_layerObjects)
            _layerObjects.TryAdd(Convert.ToHexStringLower(hash), (hash, size));
    }

    private void LinkTo(PendingEntry entry, TarEntry tar, string what)
    {
        var target = LayerPath.Split(tar.LinkName, $"{what}: hard link target");
        if (!_byPath.TryGetValue(Key(target), out var index) || _entries[index].TarSeq < 0)
            throw new InvalidImageException($"{what}: hard link to '{Escape.Bytes(tar.LinkName)}', which the layer does not hold before it");
        var to = _entries[index];
        if (to.Kind == EntryKind.Directory)
            throw new InvalidImageException($"{what}: hard link to a directory");
        if ((to.Flags & (EntryFlags.Whiteout | EntryFlags.OpaqueMarker)) != 0)
            throw new InvalidImageException($"{what}: hard link to a whiteout");
        var first = to.HardLink >= 0 ? to.HardLink : index;
        entry.HardLink = first;
    }

    /// <summary>
    /// Finds or makes (as implicit directories) every parent of the path and returns the
    /// immediate parent's index. Only whiteouts may sit below a non-directory of the same layer:
    /// umoci writes a file or symlink that replaces a lower directory, then whiteouts below it
    /// for that directory's old children; they name lower paths and are never followed.
    /// </summary>
    private int EnsureParents(List<byte[]> parts, bool isMarker, string what)
    {
        var parent = 0;
        var key = new StringBuilder();
        for (var i = 0; i < parts.Count - 1; i++)
        {
            if (i > 0)
                key.Append('/');
            key.Append(Encoding.Latin1.GetString(parts[i]));
            var k = key.ToString();
            if (_byPath.TryGetValue(k, out var index))
            {
                var existing = _entries[index];
                if (existing.Kind != EntryKind.Directory)
                {
                    var immediate = i == parts.Count - 2;
                    if (!(isMarker && immediate))
                        throw new InvalidImageException($"{what}: its parent '{Escape.Bytes(Encoding.Latin1.GetBytes(k))}' is not a directory in this layer (a path through a symlink or file)");
                }
                else if ((existing.Flags & (EntryFlags.Whiteout | EntryFlags.OpaqueMarker)) != 0)
                {
                    throw new InvalidImageException($"{what}: its parent is a whiteout");
                }
                parent = index;
                continue;
            }
            var dir = new PendingEntry
            {
                Parent = parent,
                Name = parts[i],
                Kind = EntryKind.Directory,
                Mode = 0b111_101_101,
                Flags = EntryFlags.Implicit,
            };
            _byPath[k] = _entries.Count;
            parent = _entries.Count;
            _entries.Add(dir);
        }
        return parent;
    }

    /// <summary>Latin-1 maps every byte to one char, so arbitrary name bytes make an exact string key.</summary>
    private static string Key(List<byte[]> parts)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < parts.Count; i++)
        {
            if (i > 0)
                sb.Append('/');
            sb.Append(Encoding.Latin1.GetString(parts[i]));
        }
        return sb.ToString();
    }

    private static string Describe(TarEntryType type) => type switch
    {
        TarEntryType.Regular => "regular file",
        TarEntryType.HardLink => "hard link",
        TarEntryType.Symlink => "symlink",
        TarEntryType.CharDevice => "character device",
        TarEntryType.BlockDevice => "block device",
        TarEntryType.Directory => "directory",
        TarEntryType.Fifo => "fifo",
        _ => type.ToString(),
    };
}
