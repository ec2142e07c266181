using System.Text.Json.Nodes;
using System.CommandLine;
using LayerFs.Cli.Output;
using LayerFs.Store;
using LayerFs.Store.Views;

namespace LayerFs.Cli.Commands;

/// <summary>`layerfs diff VIEW`: what changed in a view against its image, as `docker diff` lists it.</summary>
internal static class DiffCommand
{
    public static Command Create()
    {
        var view = new Argument<string>("VIEW") { Description = "the view's name" };
        var format = CommonOptions.Format();
        var command = new Command("diff", "List the paths a view added (A), changed (C) or deleted (D)") { view, format };
        command.SetAction(result =>
        {
            var json = CommonOptions.IsJson(result, format);
            using var store = CommonOptions.OpenStore(result);
            using var changes = store.ViewChanges(result.GetValue(view)!, Snapshotters.Get);
            var list = changes.Enumerate().Select(c => (Path: "/" + c.Path, c.Kind)).ToList();
            if (json)
            {
                Terminal.Json(Terminal.Array(list, c => new JsonObject { ["path"] = c.Path, ["kind"] = Letter(c.Kind) }));
                return 0;
            }
            foreach (var (path, kind) in list)
                Terminal.Line($"{Letter(kind)} {Escape.Text(path)}");
            return 0;
        });
        return command;
    }

    private static string Letter(ViewChangeKind kind) => kind switch
    {
        ViewChangeKind.Added => "A",
        ViewChangeKind.Changed => "C",
        _ => "D",
    };
}
