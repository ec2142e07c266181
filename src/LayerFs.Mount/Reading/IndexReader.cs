using LayerFs.Store;
using LayerFs.Store.Index;
using LayerFs.Store.Model;
using Microsoft.Data.Sqlite;

namespace LayerFs.Mount.Reading;

/// <summary>
/// One thread's view of the index: the store's <see cref="LayerTreeReader"/> for entries, plus
/// the few queries the mount needs that it does not have (a name and its whiteout in one probe,
/// hard-link groups, layer sizes). Both connections are read-only. Not thread-safe: the mount
/// keeps one per FUSE reader thread (see <see cref="ReaderPool"/>).
/// </summary>
internal sealed class IndexReader : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly SqliteCommand _nameOrWhiteout;
    private readonly SqliteCommand _entryAndGroupSize;
    private readonly SqliteCommand _groupMembers;
    private readonly SqliteCommand _groupSize;
    private readonly SqliteCommand _groupsUnder;
    private readonly SqliteCommand _layerTarSize;

    public IndexReader(StoreLayout layout)
    {
        Layout = layout;
        Tree = new LayerTreeReader(layout);
        _db = StoreDatabase.OpenReadOnly(layout);
        _nameOrWhiteout = Prepare($"SELECT {EntryRows.Columns} FROM entries WHERE parent = $a AND name IN ($b, $c)", ("$a", SqliteType.Integer), ("$b", SqliteType.Blob), ("$c", SqliteType.Blob));
        _entryAndGroupSize = Prepare($"SELECT {EntryRows.Columns}, (SELECT COUNT(*) FROM entries h WHERE h.hardlink = $a) FROM entries WHERE id = $a", ("$a", SqliteType.Integer));
        _groupMembers = Prepare("SELECT id FROM entries WHERE hardlink = $a ORDER BY id", ("$a", SqliteType.Integer));
        _groupSize = Prepare("SELECT COUNT(*) FROM entries WHERE hardlink = $a", ("$a", SqliteType.Integer));
        _groupsUnder = Prepare("SELECT hardlink, COUNT(*) FROM entries WHERE hardlink IN (SELECT id FROM entries WHERE parent = $a) GROUP BY hardlink", ("$a", SqliteType.Integer));
        _layerTarSize = Prepare("SELECT tar_size FROM layers WHERE id = $a", ("$a", SqliteType.Integer));
    }

    public StoreLayout Layout { get; }

    /// <summary>Entries by id, children by name, xattrs, and the catalog queries.</summary>
    public LayerTreeReader Tree { get; }

    /// <summary>A connection for <see cref="LayerTar.Load"/>.</summary>
    public SqliteConnection Connection => _db;

    private SqliteCommand Prepare(string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, type) in parameters)
            cmd.Parameters.Add(name, type);
        cmd.Prepare();
        return cmd;
    }

    /// <summary>
    /// The child <paramref name="name"/> of a layer directory and the whiteout ".wh.NAME" beside it,
    /// in one index probe: stacking asks both questions of every layer.
    /// </summary>
    public (EntryRow? Entry, EntryRow? Whiteout) ChildAndWhiteout(long parent, byte[] name, byte[] whiteoutName)
    {
        _nameOrWhiteout.Parameters[0].Value = parent;
        _nameOrWhiteout.Parameters[1].Value = name;
        _nameOrWhiteout.Parameters[2].Value = whiteoutName;
        using var r = _nameOrWhiteout.ExecuteReader();
        EntryRow? entry = null, whiteout = null;
        while (r.Read())
        {
            var row = EntryRows.Read(r);
            if (row.IsWhiteout)
                whiteout = row;
            else
                entry = row;
        }
        return (entry, whiteout);
    }

    /// <summary>
    /// An entry, and how many names the hard-link group it is the first member of has (1: not a
    /// group), in one statement: what GETATTR and OPEN of a file need, each of which the kernel
    /// asks for once per open file (a passthrough read invalidates the cached atime).
    /// </summary>
    public (EntryRow Row, int GroupSize)? EntryAndGroupSize(long id)
    {
        _entryAndGroupSize.Parameters[0].Value = id;
        using var r = _entryAndGroupSize.ExecuteReader();
        if (!r.Read())
            return null;
        return (EntryRows.Read(r), 1 + r.GetInt32(EntryRows.Count));
    }

    /// <summary>The other members of the hard-link group whose first member is <paramref name="first"/>.</summary>
    public List<long> LinksTo(long first)
    {
        _groupMembers.Parameters[0].Value = first;
        using var r = _groupMembers.ExecuteReader();
        var list = new List<long>();
        while (r.Read())
            list.Add(r.GetInt64(0));
        return list;
    }

    /// <summary>How many names the hard-link group whose first member is this entry has (1: not a group).</summary>
    public int GroupSize(long first)
    {
        _groupSize.Parameters[0].Value = first;
        return 1 + Convert.ToInt32(_groupSize.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The hard-link groups whose first member is a child of a layer directory: first member id →
    /// number of names. One query for a whole listing instead of one per name.
    /// </summary>
    public void GroupsUnder(long parent, Dictionary<long, int> groups)
    {
        _groupsUnder.Parameters[0].Value = parent;
        using var r = _groupsUnder.ExecuteReader();
        while (r.Read())
            groups[r.GetInt64(0)] = r.GetInt32(1) + 1;
    }

    /// <summary>Bytes of the layer's uncompressed tar, or null if the layer is gone.</summary>
    public long? LayerTarSize(long layerId)
    {
        _layerTarSize.Parameters[0].Value = layerId;
        return _layerTarSize.ExecuteScalar() is long size ? size : null;
    }

    public void Dispose()
    {
        _nameOrWhiteout.Dispose();
        _entryAndGroupSize.Dispose();
        _groupMembers.Dispose();
        _groupSize.Dispose();
        _groupsUnder.Dispose();
        _layerTarSize.Dispose();
        _db.Dispose();
        Tree.Dispose();
    }
}
