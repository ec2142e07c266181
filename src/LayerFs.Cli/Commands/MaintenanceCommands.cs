using System.Text.Json.Nodes;
using System.CommandLine;
using LayerFs.Cli.Output;

namespace LayerFs.Cli.Commands;

internal static class VerifyCommand
{
    public static Command Create()
    {
        var reference = new Argument<string?>("REF") { Description = "an image (default: the whole store)", Arity = ArgumentArity.ZeroOrOne };
        var format = CommonOptions.Format();
        var command = new Command("verify", "Re-check every digest: blobs, file objects, and each layer tar rebuilt against its diff_id") { reference, format };
        command.SetAction(result =>
        {
            var json = CommonOptions.IsJson(result, format);
            using var store = CommonOptions.OpenStore(result);
            var report = store.Verify(result.GetValue(reference));
            if (json)
                Terminal.Json(new JsonObject
                {
                    ["ok"] = report.Ok,
                    ["images"] = report.Images,
                    ["layers"] = report.Layers,
                    ["blobs"] = report.Blobs,
                    ["objects"] = report.Objects,
                    ["problems"] = Terminal.Strings(report.Problems),
                });
            else
            {
                foreach (var problem in report.Problems)
                    Terminal.Line($"PROBLEM: {problem}");
                Terminal.Line($"{(report.Ok ? "ok" : "FAILED")}: {report.Images} images, {report.Layers} layers, {report.Blobs} blobs, {report.Objects} objects checked, {report.Problems.Count} problems");
            }
            return report.Ok ? 0 : 1;
        });
        return command;
    }
}

internal static class DuCommand
{
    public static Command Create()
    {
        var format = CommonOptions.Format();
        var command = new Command("du", "Disk usage: per image the bytes shared with other images and the bytes only it holds") { format };
        command.SetAction(result =>
        {
            var json = CommonOptions.IsJson(result, format);
            using var store = CommonOptions.OpenStore(result);
            var du = store.DiskUsage();
            if (json)
            {
                Terminal.Json(new JsonObject
                {
                    ["images"] = Terminal.Array(du.Images, i => new JsonObject
                    {
                        ["id"] = i.Id.ToString(),
                        ["tags"] = Terminal.Strings(i.Tags),
                        ["shared"] = i.SharedBytes,
                        ["unique"] = i.UniqueBytes,
                    }),
                    ["objects"] = new JsonObject { ["count"] = du.ObjectCount, ["bytes"] = du.ObjectBytes },
                    ["blobs"] = new JsonObject { ["count"] = du.BlobCount, ["bytes"] = du.BlobBytes },
                    ["index_bytes"] = du.IndexBytes,
                    ["file_bytes_without_dedup"] = du.LogicalFileBytes,
                    ["dedup_saved_bytes"] = du.DedupSavedBytes,
                });
                return 0;
            }
            var table = new Table("IMAGE", "ID", "SHARED", "UNIQUE");
            foreach (var i in du.Images)
                table.Add(i.Tags.FirstOrDefault() ?? "<none>", Units.ShortId(i.Id), Units.Bytes(i.SharedBytes), Units.Bytes(i.UniqueBytes));
            table.Print();
            Terminal.Line();
            Terminal.Line($"objects: {du.ObjectCount} files, {Units.Bytes(du.ObjectBytes)} (file contents without dedup: {Units.Bytes(du.LogicalFileBytes)}, saved {Units.Bytes(du.DedupSavedBytes)})");
            Terminal.Line($"blobs:   {du.BlobCount} files, {Units.Bytes(du.BlobBytes)}");
            Terminal.Line($"index:   {Units.Bytes(du.IndexBytes)}");
            return 0;
        });
        return command;
    }
}

internal static class PruneCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "list what would be removed, remove nothing" };
        var format = CommonOptions.Format();
        var command = new Command("prune", "Remove blobs, objects, layers and index rows that no image references") { dryRun, format };
        command.SetAction(result =>
        {
            var json = CommonOptions.IsJson(result, format);
            using var store = CommonOptions.OpenStore(result);
            var report = store.Prune(result.GetValue(dryRun));
            if (json)
            {
                Terminal.Json(new JsonObject
                {
                    ["dry_run"] = report.DryRun,
                    ["chains"] = Terminal.Strings(report.Chains),
                    ["layers"] = Terminal.Strings(report.Layers),
                    ["blobs"] = Terminal.Strings(report.Blobs),
                    ["objects"] = report.Objects.Count,
                    ["bytes"] = report.BytesFreed,
                    ["leases"] = report.Leases,
                    ["leased_chains"] = report.LeasedChains,
                });
                return 0;
            }
            var verb = report.DryRun ? "would remove" : "removed";
            foreach (var layer in report.Layers)
                Terminal.Line($"{verb} layer {layer}");
            foreach (var blob in report.Blobs)
                Terminal.Line($"{verb} blob {blob}");
            Terminal.Line($"{verb} {report.Chains.Count} chains, {report.Layers.Count} layers, {report.Blobs.Count} blobs, {report.Objects.Count} objects: {Units.Bytes(report.BytesFreed)}");
            if (report.LeasedChains > 0)
                Terminal.Line($"kept {report.LeasedChains} chains that no image uses: a mount still reads them ({report.Leases} leases)");
            return 0;
        });
        return command;
    }
}
