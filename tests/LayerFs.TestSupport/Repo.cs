namespace LayerFs.TestSupport;

/// <summary>Where the checkout, the shared corpus and the built CLI are, seen from a test binary.</summary>
public static class Repo
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LayerFs.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (LayerFs.sln) above " + AppContext.BaseDirectory);
    });

    public static string Root => RootPath.Value;

    /// <summary>../shared/corpus/images beside the checkout (LAYERFS_CORPUS overrides).</summary>
    public static string CorpusImages =>
        Environment.GetEnvironmentVariable("LAYERFS_CORPUS") is { Length: > 0 } env
            ? env
            : Path.GetFullPath(Path.Combine(Root, "..", "shared", "corpus", "images"));

    public static string Corpus(string name) => Path.Combine(CorpusImages, name);

    /// <summary>The published CLI (`make build` puts it in out/layerfs).</summary>
    public static string Cli => Path.Combine(Root, "out", "layerfs", "layerfs");

    /// <summary>The example image that `make example` builds.</summary>
    public static string ExampleImage => Path.Combine(Root, "examples", "busybox", "out");
}
