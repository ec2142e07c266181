using LayerFs.TestSupport;

namespace LayerFs.Cli.Tests;

/// <summary>Runs the published `layerfs` binary against a private store, as a user would.</summary>
internal sealed class CliStore : IDisposable
{
    private readonly TempDir _dir = new("layerfs-cli");

    public string Root => _dir.Combine("store");

    public ProcessResult Run(params string[] args) =>
        ProcessRunner.Run(Repo.Cli, ["--store", Root, .. args], TimeSpan.FromMinutes(5));

    public ProcessResult Ok(params string[] args) => Run(args).EnsureSuccess();

    public void Dispose() => _dir.Dispose();
}
