using System.Text.Json.Nodes;
using System.CommandLine;
using LayerFs.Cli.Output;

namespace LayerFs.Cli.Commands;

/// <summary>`layerfs commit VIEW NAME:TAG [-m MSG]`: a view's changes become a new layer and image.</summary>
internal static class CommitCommand
{
    public static Command Create()
    {
        var view = new Argument<string>("VIEW") { Description = "the view whose changes to keep" };
        var name = new Argument<string>("NAME:TAG") { Description = "the new image's name (an existing tag of that name moves to it)" };
        var message = new Option<string?>("--message", "-m") { Description = "a comment for the new history entry" };
        var format = CommonOptions.Format();
        var command = new Command("commit", "Make a view's changes a new image: its image's layers plus one layer of the changes") { view, name, message, format };
        command.SetAction(result =>
        {
            var json = CommonOptions.IsJson(result, format);
            using var store = CommonOptions.OpenStore(result);
            var committed = store.Commit(result.GetValue(view)!, result.GetValue(name)!, result.GetValue(message), Snapshotters.Get);
            if (json)
            {
                Terminal.Json(new JsonObject
                {
                    ["id"] = committed.ImageId.ToString(),
                    ["tag"] = committed.Tag,
                    ["diff_id"] = committed.DiffId.ToString(),
                    ["blob"] = committed.BlobDigest.ToString(),
                    ["blob_size"] = committed.BlobSize,
                    ["tar_size"] = committed.TarSize,
                    ["layer_new"] = committed.LayerNew,
                });
                return 0;
            }
            Terminal.Line($"committed {committed.Tag} ({Units.ShortId(committed.ImageId)}): layer {committed.DiffId.Hex[..12]}, {Units.Bytes(committed.BlobSize)}{(committed.LayerNew ? "" : ", already in the store")}");
            return 0;
        });
        return command;
    }
}
