using LayerFs.Store;

namespace LayerFs.Mount.Reading;

/// <summary>
/// One <see cref="IndexReader"/> per thread: SQLite connections must not be shared between
/// threads, and in WAL mode every reader thread can query at once. Readers are opened on a
/// thread's first request and closed together when the mount ends.
/// </summary>
internal sealed class ReaderPool : IDisposable
{
    private readonly ThreadLocal<IndexReader> _readers;

    public ReaderPool(StoreLayout layout)
    {
        Layout = layout;
        _readers = new ThreadLocal<IndexReader>(() => new IndexReader(layout), trackAllValues: true);
    }

    public StoreLayout Layout { get; }

    /// <summary>The calling thread's reader.</summary>
    public IndexReader Current => _readers.Value!;

    /// <summary>Closes the calling thread's reader, for a thread that is about to end.</summary>
    public void ReleaseCurrent()
    {
        if (_readers.IsValueCreated)
        {
            _readers.Value!.Dispose();
            _readers.Value = null!;
        }
    }

    public void Dispose()
    {
        foreach (var reader in _readers.Values)
            reader?.Dispose();
        _readers.Dispose();
    }
}
