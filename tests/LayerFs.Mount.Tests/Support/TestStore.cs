using LayerFs.Mount.Tree;
using LayerFs.Store;
using LayerFs.Store.Import;
using LayerFs.TestSupport;

namespace LayerFs.Mount.Tests.Support;

/// <summary>A private store in a temp directory, with images built from layer specs or taken from the corpus.</summary>
public sealed class TestStore : IDisposable
{
    private readonly TempDir _dir = new("layerfs-mount");
    private int _images;

    public TestStore()
    {
        Store = ImageStore.Open(_dir.Combine("store"));
    }

    public ImageStore Store { get; }

    public StoreLayout Layout => Store.Layout;

    public string Root => Store.Layout.Root;

    public string TempPath(string name) => _dir.Combine(name);

    /// <summary>Imports an image made of the given layers under name:tag.</summary>
    public void Add(string name, params LayerSpec[] layers)
    {
        var dir = OciImageBuilder.Write(_dir.Combine($"oci-{_images++}"), layers);
        Store.Import(dir, new ImportOptions { Name = name });
    }

    public void AddCorpus(string source) => Store.Import(Repo.Corpus(source), new ImportOptions());

    public LayerFileSystem FileSystem(bool passthrough = true) => new(Layout, new LayerFileSystemOptions { Passthrough = passthrough });

    public void Dispose()
    {
        Store.Dispose();
        _dir.Dispose();
    }
}
