using System.Text.Json.Nodes;
using System.CommandLine;
using LayerFs.Cli.Output;
using LayerFs.Store.Import;

namespace LayerFs.Cli.Commands;

internal static class ImportCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "OCI layout directory, oci-archive, docker-archive, or a plain layer tar (.tar, .tar.gz, .tar.zst)" };
        var name = new Option<string?>("--name") { Description = "NAME:TAG to give the image" };
        var platform = new Option<string?>("--platform") { Description = "os/arch[/variant] to pick from a multi-platform image (default: linux and this machine's architecture)" };
        var maxRatio = new Option<double?>("--max-ratio") { Description = "largest accepted compression ratio of a layer over 1 GiB (default 200)" };
        var maxLayerSize = new Option<long?>("--max-layer-size") { Description = "largest accepted uncompressed layer, in bytes (default 256 GiB): a decompression bomb stops there" };
        var format = CommonOptions.Format();
        var command = new Command("import", "Import an image into the store") { path, name, platform, maxRatio, maxLayerSize, format };
        command.SetAction(result =>
        {
            var json = CommonOptions.IsJson(result, format);
            using var store = CommonOptions.OpenStore(result);
            var source = result.GetValue(path)!;
            ImportResult imported;
            using (var bar = new ProgressBar($"importing {Path.GetFileName(Path.TrimEndingDirectorySeparator(source))}"))
            {
                imported = store.Import(source, new ImportOptions
                {
                    Name = result.GetValue(name),
                    Platform = result.GetValue(platform),
                    MaxCompressionRatio = result.GetValue(maxRatio) ?? 200,
                    MaxLayerSize = result.GetValue(maxLayerSize) ?? new ImportOptions().MaxLayerSize,
                    Progress = bar,
                });
            }
            if (json)
            {
                Terminal.Json(new JsonObject
                {
                    ["images"] = Terminal.Array(imported.Images, i => new JsonObject
                    {
                        ["id"] = i.Id.ToString(),
                        ["tags"] = Terminal.Strings(i.Tags),
                        ["layers"] = i.LayerCount,
                        ["new"] = i.New,
                    }),
                    ["layers_read"] = imported.LayersRead,
                    ["layers_new"] = imported.LayersNew,
                    ["files_new"] = imported.FilesNew,
                    ["bytes_new"] = imported.BytesNew,
                });
                return 0;
            }
            foreach (var image in imported.Images)
                Terminal.Line($"{(image.New ? "imported" : "already present")} {string.Join(", ", image.Tags)} ({Units.ShortId(image.Id)}, {image.LayerCount} layer{(image.LayerCount == 1 ? "" : "s")})");
            Terminal.Line($"{imported.LayersNew} new layer{(imported.LayersNew == 1 ? "" : "s")}, {imported.FilesNew} new file{(imported.FilesNew == 1 ? "" : "s")} in the store");
            return 0;
        });
        return command;
    }
}
