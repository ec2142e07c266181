using LayerFs.Store.Model;
using Microsoft.Data.Sqlite;

namespace LayerFs.Store.Index;

/// <summary>
/// Reads layer trees from the index: an entry's children, one child by name, its xattrs. Holds
/// its own read-only connection and prepared statements, so each reader thread of the mount
/// daemon uses one of its own (SQLite in WAL lets them all read at once).
/// Not thread-safe: one instance per thread.
/// </summary>
public sealed class LayerTreeReader : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly SqliteCommand _byId;
    private readonly SqliteCommand _child;
    private readonly SqliteCommand _children;
    private readonly SqliteCommand _xattrs;
    private readonly SqliteCommand _generation;

    public LayerTreeReader(StoreLayout layout)
    {
        _db = StoreDatabase.OpenReadOnly(layout);
        _byId = Prepare($"SELECT {EntryRows.Columns} FROM entries WHERE id = $a");
        _child = Prepare($"SELECT {EntryRows.Columns} FROM entries WHERE parent = $a AND name = $b");
        _children = Prepare($"SELECT {EntryRows.Columns} FROM entries WHERE parent = $a ORDER BY name");
        _xattrs = Prepare("SELECT name, value FROM xattrs WHERE entry = $a ORDER BY seq");
        // Asked before every answer about images/ and layers/: prepared once, not parsed each time.
        _generation = _db.CreateCommand();
        _generation.CommandText = IndexQueries.GenerationQuery;
        _generation.Prepare();
    }

    private SqliteCommand Prepare(string sql)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.Add("$a", SqliteType.Integer);
        if (sql.Contains("$b", StringComparison.Ordinal))
            cmd.Parameters.Add("$b", SqliteType.Blob);
        cmd.Prepare();
        return cmd;
    }

    public EntryRow? Get(long id)
    {
        _byId.Parameters[0].Value = id;
        using var r = _byId.ExecuteReader();
        return r.Read() ? EntryRows.Read(r) : null;
    }

    public EntryRow? Child(long parent, ReadOnlySpan<byte> name)
    {
        _child.Parameters[0].Value = parent;
        _child.Parameters[1].Value = name.ToArray();
        using var r = _child.ExecuteReader();
        return r.Read() ? EntryRows.Read(r) : null;
    }

    /// <summary>All children of an entry, ordered by name bytes.</summary>
    public List<EntryRow> Children(long parent)
    {
        _children.Parameters[0].Value = parent;
        using var r = _children.ExecuteReader();
        var list = new List<EntryRow>();
        while (r.Read())
            list.Add(EntryRows.Read(r));
        return list;
    }

    public List<KeyValuePair<string, byte[]>> Xattrs(long entry)
    {
        _xattrs.Parameters[0].Value = entry;
        using var r = _xattrs.ExecuteReader();
        var list = new List<KeyValuePair<string, byte[]>>();
        while (r.Read())
            list.Add(new(r.GetString(0), (byte[])r.GetValue(1)));
        return list;
    }

    public long Generation() => _generation.ExecuteScalar() is long g ? g : 0;

    public List<ChainInfo> Chains() => IndexQueries.Chains(_db);

    public List<ImageInfo> Images() => IndexQueries.Images(_db);

    internal SqliteConnection Connection => _db;

    public void Dispose()
    {
        _byId.Dispose();
        _child.Dispose();
        _children.Dispose();
        _xattrs.Dispose();
        _generation.Dispose();
        _db.Dispose();
    }
}
