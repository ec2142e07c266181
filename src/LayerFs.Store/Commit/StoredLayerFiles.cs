using LayerFs.Store.Content;
using LayerFs.Store.Import.Sources;
using LayerFs.Store.Model;
using Microsoft.Data.Sqlite;

namespace LayerFs.Store.Commit;

/// <summary>
/// The layers of an image already in the store, as an import source: each layer blob is named
/// by its digest. A commit hands its parent's layers to the import pipeline this way; since the
/// store holds them, the pipeline recognises them and never reads them, but if it did, it
/// would get the right bytes.
/// </summary>
internal sealed class StoredLayerFiles : ISourceFiles
{
    private readonly StoreLayout _layout;
    private readonly SqliteConnection _db;
    private readonly ContentStore _content;
    private readonly Dictionary<string, ImageLayerInfo> _layers;

    public StoredLayerFiles(StoreLayout layout, SqliteConnection db, ContentStore content, IEnumerable<ImageLayerInfo> layers)
    {
        _layout = layout;
        _db = db;
        _content = content;
        _layers = layers.DistinctBy(l => l.BlobDigest).ToDictionary(l => l.BlobDigest.ToString(), StringComparer.Ordinal);
    }

    public string Description => $"store {_layout.Root}";

    public bool Exists(string path) => _layers.ContainsKey(path);

    public long? SizeOf(string path) => _layers.TryGetValue(path, out var layer) ? layer.BlobSize : null;

    public Stream Open(string path) => _layers.TryGetValue(path, out var layer)
        ? StoredLayerBlob.Open(_layout, _db, _content, layer)
        : throw new FileNotFoundException(path);

    public IEnumerable<string> List(string directory) => directory.Length == 0 ? _layers.Keys : [];

    public void Dispose() { }
}
