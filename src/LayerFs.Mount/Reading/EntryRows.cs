using LayerFs.Store.Model;
using Microsoft.Data.Sqlite;

namespace LayerFs.Mount.Reading;

/// <summary>
/// Reads an entries row selected with the same columns, in the same order, as the store's
/// LayerTreeReader, for the queries that reader does not offer.
/// </summary>
internal static class EntryRows
{
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
        (EntryFlags)r.GetInt32(16));
}
