using LayerFs.TestSupport;

namespace LayerFs.Mount.Tests.Support;

/// <summary>
/// The corpus's debian image (about 5,000 paths, dynamically linked, real hard links, device
/// nodes and setuid binaries). It is not committed (README: built from the Debian mirror), so
/// unless the corpus has it, it is built once with the corpus's own make-corpus into a cache
/// directory ($LAYERFS_TEST_CACHE, default /var/tmp/layerfs-test-corpus) and reused.
/// </summary>
public static class DebianCorpus
{
    private static readonly Lock BuildLock = new();

    public static string Locate()
    {
        var committed = Repo.Corpus("debian");
        if (Directory.Exists(committed))
            return committed;
        var cache = Environment.GetEnvironmentVariable("LAYERFS_TEST_CACHE") is { Length: > 0 } dir ? dir : "/var/tmp/layerfs-test-corpus";
        var build = Path.Combine(cache, "build");
        // make-corpus writes SHA256SUMS last: without it a build was interrupted.
        var done = Path.Combine(build, "SHA256SUMS");
        lock (BuildLock)
        {
            if (File.Exists(done))
                return Path.Combine(build, "debian");
            Directory.CreateDirectory(cache);
            using var processes = new FileStream(Path.Combine(cache, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            if (!File.Exists(done))
            {
                if (Directory.Exists(build))
                    ProcessRunner.Run("rm", ["-rf", "--", build]).EnsureSuccess();
                var makeCorpus = Path.Combine(Repo.CorpusImages, "..", "make-corpus");
                ProcessRunner.Run(makeCorpus, ["--only", "debian", build], TimeSpan.FromMinutes(30)).EnsureSuccess();
            }
            return Path.Combine(build, "debian");
        }
    }
}
