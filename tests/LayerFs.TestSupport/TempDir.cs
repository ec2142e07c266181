namespace LayerFs.TestSupport;

/// <summary>A fresh directory under /tmp, removed (read-only bits and all) on Dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "layerfs-test")
    {
        Path = Directory.CreateTempSubdirectory(prefix + "-").FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public override string ToString() => Path;

    public void Dispose()
    {
        try
        {
            // Objects are stored 0444 and some corpus directories are 0000: let root's rm handle it.
            ProcessRunner.Run("rm", ["-rf", "--", Path], TimeSpan.FromMinutes(2));
        }
        catch (Exception)
        {
            // Best effort: a leftover temp directory must not fail a test.
        }
    }
}
