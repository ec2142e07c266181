namespace LayerFs.Store.Import.Sources;

/// <summary>
/// The files of an image source, whether a directory or an archive, addressed by relative
/// '/'-separated paths. Reads only: a source is never written to.
/// </summary>
internal interface ISourceFiles : IDisposable
{
    /// <summary>How to name the source in messages.</summary>
    string Description { get; }

    bool Exists(string path);

    /// <summary>Size of a regular file (following links inside the source), or null if there is none.</summary>
    long? SizeOf(string path);

    Stream Open(string path);

    /// <summary>Names directly inside a directory of the source ("" for the top).</summary>
    IEnumerable<string> List(string directory);
}
