using LayerFs.Store.Model;
using Microsoft.Data.Sqlite;
using Microsoft.Win32.SafeHandles;

namespace LayerFs.Store.Index;

/// <summary>
/// A layer's uncompressed tar, rebuilt from the index (raw headers and padding, as tar-split
/// keeps them) and the object store (file contents): bit for bit the tar that was imported, so
/// its sha256 is the layer's diff_id. Supports reads at any offset, as the mounted layer.tar needs.
/// The headers are read once, at load; the objects are opened as reads reach them, and the layer
/// is pinned (<see cref="LayerPin"/>) until disposed, so that removing the image and collecting
/// its garbage meanwhile leaves the objects in place. Thread-safe after construction.
/// </summary>
public sealed class LayerTar : IDisposable
{
    private readonly record struct Segment(long Offset, long Length, byte[]? Raw, byte[]? Object);

    private readonly StoreLayout _layout;
    private readonly Segment[] _segments;
    private readonly LayerPin _pin;

    private LayerTar(StoreLayout layout, Segment[] segments, long length, LayerPin pin)
    {
        _layout = layout;
        _segments = segments;
        Length = length;
        _pin = pin;
    }

    public long Length { get; }

    public static LayerTar Load(StoreLayout layout, SqliteConnection db, Digest diffId)
    {
        // Pin first, then read the rows in one snapshot: a collector that deleted the rows before
        // the pin was taken finds them gone here; one that deletes them later sees the pin. (A
        // layer removed and imported again in between has a new id: pin that one instead.)
        var layerId = LayerId(db, null, diffId);
        while (true)
        {
            var pin = LayerPin.Take(layout, layerId);
            try
            {
                using var tx = db.BeginTransaction(deferred: true);
                layerId = LayerId(db, tx, diffId, out var trailer);
                if (layerId == pin.LayerId)
                {
                    var (segments, length) = Segments(db, tx, layerId, trailer);
                    return new LayerTar(layout, segments, length, pin);
                }
            }
            catch
            {
                pin.Dispose();
                throw;
            }
            pin.Dispose();
        }
    }

    private static long LayerId(SqliteConnection db, SqliteTransaction? tx, Digest diffId) => LayerId(db, tx, diffId, out _);

    private static long LayerId(SqliteConnection db, SqliteTransaction? tx, Digest diffId, out byte[] trailer)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT id, trailer FROM layers WHERE diff_id = $d";
        cmd.Parameters.AddWithValue("$d", diffId.ToString());
        using var r = cmd.ExecuteReader();
        if (!r.Read())
            throw new StoreException($"layer {diffId} is not in the store");
        trailer = (byte[])r.GetValue(1);
        return r.GetInt64(0);
    }

    private static (Segment[] Segments, long Length) Segments(SqliteConnection db, SqliteTransaction tx, long layerId, byte[] trailer)
    {
        var segments = new List<Segment>();
        long offset = 0;
        using (var cmd = db.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT tar_raw, kind, size, object FROM entries WHERE layer_id = $l AND tar_seq IS NOT NULL ORDER BY tar_seq";
            cmd.Parameters.AddWithValue("$l", layerId);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var raw = (byte[])r.GetValue(0);
                segments.Add(new Segment(offset, raw.Length, raw, null));
                offset += raw.Length;
                var size = r.GetInt64(2);
                if ((EntryKind)r.GetInt32(1) == EntryKind.Regular && size > 0)
                {
                    segments.Add(new Segment(offset, size, null, (byte[])r.GetValue(3)));
                    offset += size;
                }
            }
        }
        if (trailer.Length > 0)
        {
            segments.Add(new Segment(offset, trailer.Length, trailer, null));
            offset += trailer.Length;
        }
        return ([.. segments], offset);
    }

    /// <summary>Fills buffer from offset; returns the bytes read (less than asked only at the end).</summary>
    public int ReadAt(long offset, Span<byte> buffer)
    {
        var total = 0;
        var i = FindSegment(offset);
        while (i < _segments.Length && total < buffer.Length)
        {
            var s = _segments[i];
            var within = offset - s.Offset;
            var n = (int)Math.Min(s.Length - within, buffer.Length - total);
            var dest = buffer.Slice(total, n);
            if (s.Raw is not null)
            {
                s.Raw.AsSpan((int)within, n).CopyTo(dest);
            }
            else
            {
                using var handle = OpenObject(s.Object!);
                var got = 0;
                while (got < n)
                {
                    var read = RandomAccess.Read(handle, dest[got..], within + got);
                    if (read <= 0)
                        throw new StoreException($"object {Convert.ToHexStringLower(s.Object!)} is shorter than the index says");
                    got += read;
                }
            }
            total += n;
            offset += n;
            i++;
        }
        return total;
    }

    /// <summary>The tar as a stream, read from the start.</summary>
    public Stream OpenRead() => new LayerTarStream(this);

    public void CopyTo(Stream output)
    {
        var buffer = new byte[1 << 20];
        foreach (var s in _segments)
        {
            if (s.Raw is not null)
            {
                output.Write(s.Raw);
                continue;
            }
            using var handle = OpenObject(s.Object!);
            long done = 0;
            while (done < s.Length)
            {
                var n = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, s.Length - done)), done);
                if (n <= 0)
                    throw new StoreException($"object {Convert.ToHexStringLower(s.Object!)} is shorter than the index says");
                output.Write(buffer, 0, n);
                done += n;
            }
        }
    }

    private SafeFileHandle OpenObject(byte[] hash) =>
        File.OpenHandle(_layout.ObjectPath(hash), FileMode.Open, FileAccess.Read, FileShare.Read);

    private int FindSegment(long offset)
    {
        int lo = 0, hi = _segments.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var s = _segments[mid];
            if (offset < s.Offset)
                hi = mid - 1;
            else if (offset >= s.Offset + s.Length)
                lo = mid + 1;
            else
                return mid;
        }
        return _segments.Length;
    }

    public void Dispose() => _pin.Dispose();
}
