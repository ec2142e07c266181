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

    /// <summary>
    /// Follows a symlink (a docker save unpacked has &lt;id&gt;/layer.tar -> ../&lt;diffid&gt;.tar), but
    /// only to a file inside the image directory.
    /// </summary>
    private FileInfo? ResolveFile(string path)
    {
        var info = new FileInfo(Resolve(path));
        if (info.LinkTarget is not null)
        {
            if (info.ResolveLinkTarget(returnFinalTarget: true) is not FileInfo target)
                return null;
            var real = Path.GetFullPath(target.FullName);
            if (!real.StartsWith(_root + "/", StringComparison.Ordinal))
                throw new InvalidImageException($"{_root}: '{Escape.Text(path)}' is a link to outside the image directory");
            info = target;
        }
        return info.Exists ? info : null;
    }

    public long? SizeOf(string path) => ResolveFile(path)?.Length;

    public Stream Open(string path)
    {
        var full = ResolveFile(path)?.FullName;
        if (full is null)
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
