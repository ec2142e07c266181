using LayerFs.Mount.Views;
using LayerFs.Store.Views;

namespace LayerFs.Cli.Commands;

/// <summary>The snapshotters `--snapshotter` may name.</summary>
internal static class Snapshotters
{
    public const string Default = UserspaceSnapshotter.SnapshotterName;

    public static IReadOnlyList<string> Names { get; } = [UserspaceSnapshotter.SnapshotterName];

    public static ISnapshotter Get(string name) => name switch
    {
        UserspaceSnapshotter.SnapshotterName => new UserspaceSnapshotter(),
        _ => throw new UsageException($"unknown snapshotter '{name}' ({string.Join(" or ", Names)})"),
    };
}
