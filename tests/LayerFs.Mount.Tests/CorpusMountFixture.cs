using LayerFs.Mount.Tests.Support;
using LayerFs.TestSupport;

namespace LayerFs.Mount.Tests;

/// <summary>
/// Every corpus image, in every form it comes in, imported into one store and mounted once for
/// the class; plus each image unpacked independently by umoci, for reference.
/// </summary>
public sealed class CorpusMountFixture : IDisposable
{
    /// <summary>Tag in the store → the corpus OCI layout that is its reference.</summary>
    public static readonly Dictionary<string, string> Images = new()
    {
        ["busybox:latest"] = "busybox",
        ["localhost/corpus/busybox:latest"] = "busybox",
        ["edge:latest"] = "edge",
        ["localhost/corpus/edge:latest"] = "edge",
    };

    private readonly Dictionary<string, string> _references = [];

    public CorpusMountFixture()
    {
        Store = new TestStore();
        foreach (var source in new[] { "busybox", "busybox.docker.tar", "edge", "edge.docker.tar", "edge.oci-archive.tar" })
            Store.AddCorpus(source);
        Mount = new InProcessMount(Store.Root, timeout: TimeSpan.FromMinutes(20));
    }

    public TestStore Store { get; }

    public InProcessMount Mount { get; }

    /// <summary>The umoci-unpacked (and corrected) rootfs of a corpus image, made on first use.</summary>
    public string Reference(string corpusImage)
    {
        lock (_references)
        {
            if (!_references.TryGetValue(corpusImage, out var rootfs))
            {
                var work = Store.TempPath("reference-" + corpusImage);
                Directory.CreateDirectory(work);
                _references[corpusImage] = rootfs = ReferenceUnpack.Unpack($"oci:{Repo.Corpus(corpusImage)}:latest", work);
            }
            return rootfs;
        }
    }

    public void Dispose()
    {
        Mount.Dispose();
        Store.Dispose();
    }
}
