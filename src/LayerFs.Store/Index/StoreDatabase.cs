using System.Globalization;
using Microsoft.Data.Sqlite;

namespace LayerFs.Store.Index;

/// <summary>
/// Opens the SQLite index. Writers get one read-write connection (WAL, synchronous=FULL on
/// commit, so a command that returned has its rows on disk); readers such as the mount
/// daemon open one read-only connection per thread.
/// </summary>
public static class StoreDatabase
{
    public static SqliteConnection OpenReadWrite(StoreLayout layout)
    {
        var conn = Connection(layout, SqliteOpenMode.ReadWriteCreate);
        try
        {
            conn.Open();
            Exec(conn, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;");
            Migrate(conn, layout);
            return conn;
        }
        catch
        {
            conn.Dispose();
            throw;
        }
    }

    public static SqliteConnection OpenReadOnly(StoreLayout layout)
    {
        if (!File.Exists(layout.IndexPath))
            throw new StoreException($"{layout.Root} is not a layerfs store (no index.db); import an image first");
        var conn = Connection(layout, SqliteOpenMode.ReadOnly);
        try
        {
            conn.Open();
            // Not memory-mapped (mmap_size): mapping makes cold walks cheaper (a page fault reads
            // ahead), but every index page a walk touches then counts in the mount daemon's RSS.
            Exec(conn, "PRAGMA busy_timeout=30000; PRAGMA query_only=1;");
            CheckVersion(ReadVersion(conn), layout);
            return conn;
        }
        catch
        {
            conn.Dispose();
            throw;
        }
    }

    /// <summary>An unopened connection to the index; not pooled, so that Dispose closes it.</summary>
    private static SqliteConnection Connection(StoreLayout layout, SqliteOpenMode mode) =>
        new(new SqliteConnectionStringBuilder { DataSource = layout.IndexPath, Mode = mode, Pooling = false }.ToString());

    /// <summary>
    /// Copies the write-ahead log into the database and empties it, if nobody is reading from it.
    /// SQLite does that itself when the last connection closes; while a mount holds the store, a
    /// writer's connection is not the last, and the log stays behind (an import's can be many
    /// megabytes). The next connection to open the store, a fresh mount's, would then read all of
    /// it to rebuild its index before the first lookup could be answered. Best effort: a reader
    /// busy for longer than a moment leaves the log for the next command.
    /// </summary>
    internal static void TruncateWriteAheadLog(SqliteConnection conn, StoreLayout layout)
    {
        if (HasLog(layout))
            Checkpoint(conn);
    }

    /// <summary>
    /// For a reader about to open the store (a mount): empties a write-ahead log that an earlier
    /// writer could not (a reader held it, or the writer was killed), through a connection of its
    /// own. Read-only connections cannot, and the first of them would read the whole log again at
    /// every mount. Nothing to do, and nothing opened, when there is no log. Best effort: a store
    /// the caller may not write to keeps its log.
    /// </summary>
    public static void TruncateLeftoverLog(StoreLayout layout)
    {
        if (!HasLog(layout) || !File.Exists(layout.IndexPath))
            return;
        try
        {
            using var conn = Connection(layout, SqliteOpenMode.ReadWrite);
            conn.Open();
            Checkpoint(conn);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            // Not ours to write, or gone meanwhile: the readers rebuild their index from the log as before.
        }
    }

    private static bool HasLog(StoreLayout layout)
    {
        try
        {
            var log = new FileInfo(layout.IndexPath + "-wal");
            return log.Exists && log.Length > 0;
        }
        catch (IOException)
        {
            return false; // gone between the two questions: another connection closed last
        }
    }

    private static void Checkpoint(SqliteConnection conn)
    {
        try
        {
            Exec(conn, "PRAGMA busy_timeout=200; PRAGMA wal_checkpoint(TRUNCATE);");
        }
        catch (SqliteException)
        {
            // Busy or locked: the log is consistent as it is, only larger than it needs to be.
        }
    }

    internal static int ReadVersion(SqliteConnection conn)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type='table' AND name='meta'";
        if (cmd.ExecuteScalar() is null)
            return 0;
        cmd.CommandText = "SELECT value FROM meta WHERE key='schema_version'";
        return cmd.ExecuteScalar() is string v ? int.Parse(v, CultureInfo.InvariantCulture) : 0;
    }

    private static void CheckVersion(int version, StoreLayout layout)
    {
        if (version > Schema.Version)
            throw new StoreException($"the store {layout.Root} has index schema {version}, newer than this layerfs understands ({Schema.Version}); upgrade layerfs");
        if (version < Schema.Version)
            throw new StoreException($"the store {layout.Root} has index schema {version}; run any layerfs command that changes the store (e.g. 'layerfs verify') as its owner to migrate it to {Schema.Version}");
    }

    private static void Migrate(SqliteConnection conn, StoreLayout layout)
    {
        var version = ReadVersion(conn);
        if (version == Schema.Version)
            return;
        if (version > Schema.Version)
            CheckVersion(version, layout);
        using var tx = conn.BeginTransaction();
        if (version == 0)
        {
            Exec(conn, Schema.Create, tx);
            Exec(conn, "INSERT INTO meta(key, value) VALUES ('generation', '0')", tx);
        }
        if (version < 2)
            Exec(conn, Schema.CreateViews, tx);
        // Later schema versions add their steps here: if (version < 3) { ... }
        using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', $v)";
            cmd.Parameters.AddWithValue("$v", Schema.Version.ToString(CultureInfo.InvariantCulture));
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
    }

    internal static void Exec(SqliteConnection conn, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>
    /// How long a reader of the store may go on showing the images, tags and layers of a
    /// generation after a newer one has committed. A mount lets the kernel keep names under
    /// images/ and layers/ for the shortest time it can (one or two jiffies: at most 20 ms at
    /// HZ=100), since every path through them would otherwise cost a round trip to the daemon;
    /// writers wait this long after committing, so a change shows as soon as the command returns.
    /// </summary>
    public static readonly TimeSpan ReaderStaleness = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// Bumps the generation and commits, then waits out <see cref="ReaderStaleness"/>: what every
    /// change to images, tags or layers ends with.
    /// </summary>
    internal static void CommitCatalogChange(SqliteConnection conn, SqliteTransaction tx)
    {
        CommitNewGeneration(conn, tx);
        Thread.Sleep(ReaderStaleness);
    }

    /// <summary>
    /// Bumps the generation and commits, without waiting: for changes to views, whose names a
    /// mount never lets the kernel cache.
    /// </summary>
    internal static void CommitNewGeneration(SqliteConnection conn, SqliteTransaction tx)
    {
        BumpGeneration(conn, tx);
        tx.Commit();
    }

    /// <summary>
    /// Bumped by every change to images or tags, inside the same transaction; a mounted store
    /// polls it to know when to tell the kernel that images/ changed.
    /// </summary>
    private static void BumpGeneration(SqliteConnection conn, SqliteTransaction tx)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key='generation'";
        cmd.ExecuteNonQuery();
    }
}
