using LayerFs.Store.Model;
using Microsoft.Data.Sqlite;

namespace LayerFs.Store.Index;

/// <summary>
/// The one mapping of an entries row to <see cref="EntryRow"/>: every query that reads entries
/// selects <see cref="Columns"/> and reads them with <see cref="Read"/>.
/// </summary>
public static class EntryRows
{
    /// <summary>The columns of entries that make an <see cref="EntryRow"/>, in the order <see cref="Read"/> expects.</summary>
    /// <remarks>
    /// The last says whether the entry has xattrs (one probe of the xattrs key): most have none,
    /// and a mount then answers getxattr (which ls -l asks twice for every name) from memory.
    /// Selected from the entries table unaliased.
    /// </remarks>
    public const string Columns = "id, layer_id, parent, name, kind, mode, uid, gid, size, mtime, mtime_ns, rdev_major, rdev_minor, link, object, hardlink, flags, "
        + "EXISTS (SELECT 1 FROM xattrs WHERE xattrs.entry = entries.id)";

    /// <summary>How many columns <see cref="Columns"/> selects: the index of the first column after them.</summary>
    public const int Count = 18;

    /// <summary>The current row of a reader that selected <see cref="Columns"/> first.</summary>
    public static EntryRow Read(SqliteDataReader r) => new(
        r.GetInt64(0),
        r.GetInt64(1),
        r.IsDBNull(2) ? null : r.GetInt64(2),
        (byte[])r.GetValue(3),
        (EntryKind)r.GetInt32(4),
        (uint)r.GetInt64(5),
        (uint)r.GetInt64(6),
        (uint)r.GetInt64(7),
        r.GetInt64(8),
        r.GetInt64(9),
        r.GetInt32(10),
        r.GetInt32(11),
        r.GetInt32(12),
        r.IsDBNull(13) ? null : (byte[])r.GetValue(13),
        r.IsDBNull(14) ? null : (byte[])r.GetValue(14),
        r.IsDBNull(15) ? null : r.GetInt64(15),
        (EntryFlags)r.GetInt32(16),
        r.GetBoolean(17));
}
