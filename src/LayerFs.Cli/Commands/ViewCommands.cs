using System.Text.Json.Nodes;
using System.CommandLine;
using LayerFs.Cli.Output;

namespace LayerFs.Cli.Commands;

/// <summary>`view create`, `view ls`, `view rm`: writable views over images.</summary>
internal static class ViewCommand
{
    public static Command Create() => new("view", "Writable views over images (MNT/views/NAME/rootfs)")
    {
        CreateView(), ListViews(), RemoveViews(),
    };

    private static Command CreateView()
    {
        var name = new Argument<string>("NAME") { Description = "the view's name (MNT/views/NAME)" };
        var from = new Option<string>("--from") { Description = "the image: NAME:TAG, image id or unique id prefix", Required = true };
        var snapshotter = new Option<string>("--snapshotter")
        {
            Description = $"{string.Join(" or ", Snapshotters.Names)} (default {Snapshotters.Default})",
            DefaultValueFactory = _ => Snapshotters.Default,
        };
        var command = new Command("create", "Create a writable view over an image") { name, from, snapshotter };
        command.SetAction(result =>
        {
            var chosen = Snapshotters.Get(result.GetValue(snapshotter)!);
            using var store = CommonOptions.OpenStore(result);
            var view = store.CreateView(result.GetValue(name)!, result.GetValue(from)!, chosen);
            Terminal.Line($"created view {view.Name} over {view.ImageId.Hex[..12]} ({view.Snapshotter})");
            return 0;
        });
        return command;
    }

    private static Command ListViews()
    {
        var format = CommonOptions.Format();
        var command = new Command("ls", "List views") { format };
        command.Aliases.Add("list");
        command.SetAction(result =>
        {
            var json = CommonOptions.IsJson(result, format);
            using var store = CommonOptions.OpenStore(result);
            var views = store.Views();
            var images = store.Images().ToDictionary(i => i.Id);
            if (json)
            {
                Terminal.Json(Terminal.Array(views, v => new JsonObject
                {
                    ["name"] = v.Name,
                    ["image_id"] = v.ImageId.ToString(),
                    ["image_tags"] = Terminal.Strings(images.TryGetValue(v.ImageId, out var i) ? i.Tags : []),
                    ["snapshotter"] = v.Snapshotter,
                    ["created"] = v.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                }));
                return 0;
            }
            var table = new Table("NAME", "IMAGE", "IMAGE ID", "SNAPSHOTTER", "CREATED");
            foreach (var v in views)
            {
                var tag = images.TryGetValue(v.ImageId, out var image) && image.Tags.Count > 0 ? image.Tags[0] : "<none>";
                table.Add(v.Name, tag, Units.ShortId(v.ImageId), v.Snapshotter, Units.Ago(v.CreatedAt.ToString("O")));
            }
            table.Print();
            return 0;
        });
        return command;
    }

    private static Command RemoveViews()
    {
        var names = new Argument<string[]>("NAME") { Description = "views to remove (their changes are lost)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("rm", "Remove views and free their space") { names };
        command.SetAction(result =>
        {
            using var store = CommonOptions.OpenStore(result);
            foreach (var name in result.GetValue(names)!)
            {
                store.RemoveView(name, Snapshotters.Get);
                Terminal.Line($"removed view {name}");
            }
            return 0;
        });
        return command;
    }
}
