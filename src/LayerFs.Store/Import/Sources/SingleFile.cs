namespace LayerFs.Store.Import.Sources;

/// <summary>A source that is one file (a plain layer tarball), reachable under the name "layer".</summary>
internal sealed class SingleFile : ISourceFiles
{
    public const string Name = "layer";
    private readonly string _path;

    public SingleFile(string path) => _path = Path.GetFullPath(path);

    public string Description => _path;

    public bool Exists(string path) => path == Name;

    public long? SizeOf(string path) => path == Name ? new FileInfo(_path).Length : null;

    public Stream Open(string path) => path == Name
        ? new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan)
        : throw new FileNotFoundException(path);

    public IEnumerable<string> List(string directory) => directory.Length == 0 ? [Name] : [];

    public void Dispose() { }
}
