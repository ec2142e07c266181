using System.Text.Json.Nodes;
using System.CommandLine;
using LayerFs.Cli.Output;
using LayerFs.Store.Import;

namespace LayerFs.Cli.Commands;

internal static class ImagesCommand
{
    public static Command Create()
    {
        var format = CommonOptions.Format();
        var command = new Command("images", "List images") { format };
        command.SetAction(result =>
        {
            var json = CommonOptions.IsJson(result, format);
            using var store = CommonOptions.OpenStore(result);
            var images = store.Images();
            if (json)
            {
                Terminal.Json(Terminal.Array(images, i => new JsonObject
                {
                    ["id"] = i.Id.ToString(),
                    ["tags"] = Terminal.Strings(i.Tags),
                    ["created"] = i.Created,
                    ["size"] = i.Size,
                    ["layers"] = i.Layers.Count,
                    ["os"] = i.Os,
                    ["architecture"] = i.Architecture,
                    ["manifest_digest"] = i.ManifestDigest.ToString(),
                }));
                return 0;
            }
            var table = new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "LAYERS");
            foreach (var image in images)
            {
                var tags = image.Tags.Count > 0 ? image.Tags : ["<none>:<none>"];
                foreach (var tag in tags)
                    table.Add(ImageReference.Repository(tag), tag[(tag.LastIndexOf(':') + 1)..], Units.ShortId(image.Id), Units.Ago(image.Created), Units.Bytes(image.Size), image.Layers.Count.ToString());
            }
            table.Print();
            return 0;
        });
        return command;
    }
}
