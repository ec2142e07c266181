using System.Text.Json.Nodes;
using System.CommandLine;
using LayerFs.Cli.Output;

namespace LayerFs.Cli.Commands;

internal static class LayersCommand
{
    public static Command Create()
    {
        var format = CommonOptions.Format();
        var command = new Command("layers", "List stored layers (by diff_id), with the chains they sit in") { format };
        command.SetAction(result =>
        {
            var json = CommonOptions.IsJson(result, format);
            using var store = CommonOptions.OpenStore(result);
            var layers = store.Layers();
            var images = store.Images();
            if (json)
            {
                Terminal.Json(Terminal.Array(layers, l => new JsonObject
                {
                    ["diff_id"] = l.DiffId.ToString(),
                    ["chain_ids"] = Terminal.Strings(l.ChainIds.Select(c => c.ToString())),
                    ["size"] = l.TarSize,
                    ["entries"] = l.EntryCount,
                    ["used_by"] = Terminal.Strings(images.Where(i => i.Layers.Any(x => x.DiffId == l.DiffId)).Select(i => i.Id.ToString())),
                }));
                return 0;
            }
            var table = new Table("DIFF ID", "CHAINS", "SIZE", "ENTRIES", "USED BY");
            foreach (var layer in layers)
            {
                var users = images.Where(i => i.Layers.Any(x => x.DiffId == layer.DiffId)).Select(i => i.Tags.FirstOrDefault() ?? Units.ShortId(i.Id));
                table.Add(Units.ShortId(layer.DiffId), string.Join(",", layer.ChainIds.Select(Units.ShortId)), Units.Bytes(layer.TarSize), layer.EntryCount.ToString(), string.Join(", ", users));
            }
            table.Print();
            return 0;
        });
        return command;
    }
}
