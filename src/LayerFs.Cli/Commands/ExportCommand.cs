using System.CommandLine;
using LayerFs.Cli.Output;
using LayerFs.Store.Export;

namespace LayerFs.Cli.Commands;

/// <summary>`layerfs export REF -o FILE [--format oci|docker]`.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("REF") { Description = "NAME:TAG, image id or unique id prefix" };
        var output = new Option<string>("--output", "-o") { Description = "the archive to write (replaced if it exists)", Required = true };
        var format = new Option<string>("--format")
        {
            Description = "oci (an oci-archive) or docker (a docker-archive, as `docker save` writes)",
            DefaultValueFactory = _ => "oci",
        };
        var command = new Command("export", "Write an image as an oci-archive or docker-archive") { reference, output, format };
        command.SetAction(result =>
        {
            var chosen = result.GetValue(format) switch
            {
                "oci" => ExportFormat.Oci,
                "docker" => ExportFormat.Docker,
                var other => throw new UsageException($"unknown --format '{other}' (oci or docker)"),
            };
            using var store = CommonOptions.OpenStore(result);
            var path = result.GetValue(output)!;
            var image = store.Export(result.GetValue(reference)!, path, chosen);
            Terminal.Line($"exported {(image.Tags.Count > 0 ? string.Join(", ", image.Tags) : Units.ShortId(image.Id))} to {path} ({result.GetValue(format)}-archive)");
            return 0;
        });
        return command;
    }
}
