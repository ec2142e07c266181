using LayerFs.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace LayerFs.Cli.Tests;

/// <summary>
/// Every archive of the hostile corpus (tests/LayerFs.Store.Tests/Tools/make_hostile.py) given
/// to `layerfs import` as a user would: exit status 1, exactly one line on stderr, "layerfs: ..."
/// and nothing else, and the store byte for byte as it was.
/// </summary>
public sealed class HostileCliTests
{
    private readonly ITestOutputHelper _output;

    public HostileCliTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Every_hostile_archive_gives_one_error_line_a_failure_exit_and_an_unchanged_store()
    {
        using var corpus = new TempDir("layerfs-hostile-cli");
        ProcessRunner.Run("python3", [Path.Combine(Repo.Root, "tests", "LayerFs.Store.Tests", "Tools", "make_hostile.py"), corpus.Path], TimeSpan.FromMinutes(2)).EnsureSuccess();
        using var store = new CliStore();
        store.Ok("import", Repo.Corpus("busybox"));
        var before = StoreSnapshot.Take(store.Root);

        var inputs = Directory.GetFiles(corpus.Path).Order(StringComparer.Ordinal).ToList();
        Assert.True(inputs.Count >= 29, $"only {inputs.Count} hostile archives");
        foreach (var input in inputs)
        {
            // The bomb expands to 64 MiB: a 16 MiB cap on layer size stops it (as 256 GiB stops a real one).
            string[] caps = Path.GetFileName(input) == "bomb.tar.gz" ? ["--max-layer-size", "16777216"] : [];
            var result = store.Run(["import", input, "--name", "hostile:latest", .. caps]);
            var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(result.ExitCode == 1, $"{Path.GetFileName(input)}: exit {result.ExitCode}\n{result.Stdout}{result.Stderr}");
            Assert.True(lines.Length == 1 && lines[0].StartsWith("layerfs: ", StringComparison.Ordinal), $"{Path.GetFileName(input)}: stderr is not one 'layerfs:' line:\n{result.Stderr}");
            Assert.Empty(StoreSnapshot.Diff(before, StoreSnapshot.Take(store.Root)));
            _output.WriteLine($"{Path.GetFileName(input)}: {lines[0]}");
        }
        _output.WriteLine($"{inputs.Count} hostile archives refused");
        store.Ok("verify");
    }
}
