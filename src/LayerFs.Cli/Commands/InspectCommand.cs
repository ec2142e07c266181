using System.CommandLine;
using System.Text.Json.Nodes;
using LayerFs.Cli.Output;
using LayerFs.Store.Oci;

namespace LayerFs.Cli.Commands;

internal static class InspectCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("REF") { Description = "NAME:TAG, image id or unique id prefix" };
        var command = new Command("inspect", "Show an image: ids, tags, layers, config (always JSON)") { reference };
        command.SetAction(result =>
        {
            using var store = CommonOptions.OpenStore(result);
            var image = store.Resolve(result.GetValue(reference)!);
            var config = JsonNode.Parse(store.ReadConfig(image));
            Terminal.Json(new JsonObject
            {
                ["id"] = image.Id.ToString(),
                ["tags"] = Terminal.Strings(image.Tags),
                ["manifest_digest"] = image.ManifestDigest.ToString(),
                ["manifest_media_type"] = image.ManifestMediaType,
                ["created"] = image.Created,
                ["os"] = image.Os,
                ["architecture"] = image.Architecture,
                ["size"] = image.Size,
                ["layers"] = Terminal.Array(image.Layers, l => new JsonObject
                {
                    ["position"] = l.Position,
                    ["chain_id"] = l.ChainId.ToString(),
                    ["diff_id"] = l.DiffId.ToString(),
                    ["blob"] = l.BlobDigest.ToString(),
                    ["media_type"] = l.MediaType,
                    ["blob_size"] = l.BlobSize,
                    ["tar_size"] = l.TarSize,
                }),
                ["config"] = config,
            });
            return 0;
        });
        return command;
    }
}

internal static class HistoryCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("REF") { Description = "NAME:TAG, image id or unique id prefix" };
        var format = CommonOptions.Format();
        var command = new Command("history", "Show the history of an image, newest first") { reference, format };
        command.SetAction(result =>
        {
            var json = CommonOptions.IsJson(result, format);
            using var store = CommonOptions.OpenStore(result);
            var image = store.Resolve(result.GetValue(reference)!);
            var config = ImageConfig.Parse(store.ReadConfig(image), "config");
            // History entries with empty_layer have no layer; the others take the layers in order.
            var rows = new List<(string? Created, string? CreatedBy, string? Comment, long? Size, string? Layer)>();
            var layerIndex = 0;
            foreach (var h in config.History)
            {
                if (h.EmptyLayer || layerIndex >= image.Layers.Count)
                {
                    rows.Add((h.Created, h.CreatedBy, h.Comment, h.EmptyLayer ? 0 : null, null));
                    continue;
                }
                var layer = image.Layers[layerIndex++];
                rows.Add((h.Created, h.CreatedBy, h.Comment, layer.TarSize, layer.DiffId.ToString()));
            }
            rows.Reverse();
            if (json)
            {
                Terminal.Json(Terminal.Array(rows, r => new JsonObject
                {
                    ["created"] = r.Created,
                    ["created_by"] = r.CreatedBy,
                    ["comment"] = r.Comment,
                    ["size"] = r.Size,
                    ["diff_id"] = r.Layer,
                }));
                return 0;
            }
            var table = new Table("CREATED", "CREATED BY", "SIZE", "COMMENT");
            foreach (var r in rows)
            {
                var by = r.CreatedBy ?? "";
                if (by.Length > 60)
                    by = by[..57] + "...";
                table.Add(Units.Ago(r.Created), by.ReplaceLineEndings(" "), r.Size is { } s ? Units.Bytes(s) : "", r.Comment ?? "");
            }
            table.Print();
            return 0;
        });
        return command;
    }
}
