namespace LayerFs.Store.Import.Sources;

/// <summary>An image source that is a directory (an OCI layout, or an unpacked docker save).</summary>
internal sealed class DirectoryFiles : ISourceFiles
{
    private readonly string _root;

    public DirectoryFiles(string root)
    {
        _root = Path.GetFullPath(root);
    }

    public string Description => _root;

    private string Resolve(string path)
    {
        var full = Path.GetFullPath(Path.Combine(_root, path));
        if (!full.StartsWith(_root + "/", StringComparison.Ordinal) && full != _root)
            throw new InvalidImageException($"{_root}: path '{Escape.Text(path)}' leads outside the image directory");
        return full;
    }

    public bool Exists(string path) => File.Exists(Resolve(path)) || Directory.Exists(Resolve(path));

    public long? SizeOf(string path)
    {
        var info = new FileInfo(Resolve(path));
        return info.Exists ? info.Length : null;
    }

    public Stream Open(string path)
    {
        var full = Resolve(path);
        if (!File.Exists(full))
            throw new InvalidImageException($"{_root}: '{Escape.Text(path)}' is missing");
        return new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    }

    public IEnumerable<string> List(string directory)
    {
        var full = Resolve(directory);
        if (!Directory.Exists(full))
            return [];
        return Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName).OfType<string>();
    }

    public void Dispose() { }
}
