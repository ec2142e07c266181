using Microsoft.Data.Sqlite;

namespace LayerFs.Mount.Views;

/// <summary>
/// The bookkeeping of a view's upper directory that its files cannot carry themselves (see
/// <see cref="UpperLayout"/>): for each upper inode that was copied up from the image, where it
/// came from (so that st_ino stays the lower entry's) and, while only its metadata was copied,
/// which object still holds its content. Keyed by the upper inode number, which renames and hard
/// links keep, and checked against the inode's birth time, so that a number the filesystem reuses
/// for a new file never inherits an old row. All rows are held in memory too: there is one per
/// copied-up file, not per file of the view.
/// </summary>
internal sealed class UpperTable : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Dictionary<long, UpperRow> _rows = [];

    private UpperTable(SqliteConnection db)
    {
        _db = db;
    }

    /// <summary>Opens (creating if need be) the table of a view; every change is durable when the call returns.</summary>
    public static UpperTable Open(string path)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                CREATE TABLE IF NOT EXISTS copied_up (
                    ino INTEGER PRIMARY KEY,
                    birth_ns INTEGER NOT NULL,
                    origin INTEGER NOT NULL,
                    object TEXT,
                    size INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                """;
            cmd.ExecuteNonQuery();
        }
        var table = new UpperTable(db);
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT ino, birth_ns, origin, object, size FROM copied_up";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var row = new UpperRow(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetInt64(4));
                table._rows[row.Ino] = row;
            }
        }
        return table;
    }

    /// <summary>Reads the rows of a view's table without changing anything (for diff and commit); empty if there is none.</summary>
    public static Dictionary<long, UpperRow> ReadAll(string path)
    {
        var rows = new Dictionary<long, UpperRow>();
        if (!File.Exists(path))
            return rows;
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT ino, birth_ns, origin, object, size FROM copied_up";
        using var r = cmd.ExecuteReader();
        while (r.Read())
            rows[r.GetInt64(0)] = new UpperRow(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetInt64(4));
        return rows;
    }

    /// <summary>The row of an upper inode, if it has one and it is this inode's (same birth).</summary>
    public UpperRow? Find(ulong ino, long birthNs)
    {
        if (!_rows.TryGetValue((long)ino, out var row))
            return null;
        return row.Matches(birthNs) ? row : null;
    }

    /// <summary>The row by inode number alone (READDIR, which has no birth time at hand).</summary>
    public UpperRow? FindByNumber(ulong ino) => _rows.GetValueOrDefault((long)ino);

    public void Put(UpperRow row)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "INSERT OR REPLACE INTO copied_up(ino, birth_ns, origin, object, size) VALUES ($i, $b, $o, $c, $s)";
        cmd.Parameters.AddWithValue("$i", row.Ino);
        cmd.Parameters.AddWithValue("$b", row.BirthNs);
        cmd.Parameters.AddWithValue("$o", row.Origin);
        cmd.Parameters.AddWithValue("$c", (object?)row.Object ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$s", row.Size);
        cmd.ExecuteNonQuery();
        _rows[row.Ino] = row;
    }

    /// <summary>The inode's content is its own now (its data was copied up).</summary>
    public void ClearObject(long ino)
    {
        if (!_rows.TryGetValue(ino, out var row) || row.Object is null)
            return;
        Put(row with { Object = null });
    }

    public void Delete(long ino)
    {
        if (!_rows.Remove(ino))
            return;
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "DELETE FROM copied_up WHERE ino = $i";
        cmd.Parameters.AddWithValue("$i", ino);
        cmd.ExecuteNonQuery();
    }

    public string? Meta(string key)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteScalar() as string;
    }

    public void SetMeta(string key, string value)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "INSERT OR REPLACE INTO meta(key, value) VALUES ($k, $v)";
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$v", value);
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _db.Dispose();
}

/// <summary>
/// One copied-up inode: its number and birth time on the host, the image entry it came from
/// (its hard-link group's first member), and, while only its metadata is copied, the object
/// (sha256 hex) that holds its content of <see cref="Size"/> bytes.
/// </summary>
internal sealed record UpperRow(long Ino, long BirthNs, long Origin, string? Object, long Size)
{
    /// <summary>Birth times compare only where the filesystem reports them (0: it does not).</summary>
    public bool Matches(long birthNs) => BirthNs == 0 || birthNs == 0 || BirthNs == birthNs;
}
