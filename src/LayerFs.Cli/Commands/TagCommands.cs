using System.CommandLine;
using LayerFs.Cli.Output;

namespace LayerFs.Cli.Commands;

internal static class TagCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("REF") { Description = "NAME:TAG, image id or unique id prefix" };
        var name = new Argument<string>("NAME:TAG") { Description = "the new name" };
        var command = new Command("tag", "Give an image another name") { reference, name };
        command.SetAction(result =>
        {
            using var store = CommonOptions.OpenStore(result);
            store.Tag(result.GetValue(reference)!, result.GetValue(name)!);
            return 0;
        });
        return command;
    }
}

internal static class RmiCommand
{
    public static Command Create()
    {
        var references = new Argument<string[]>("REF") { Description = "NAME:TAG (removes that name), or image id (removes the image)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("rmi", "Remove images, and whatever no other image uses") { references };
        command.SetAction(result =>
        {
            using var store = CommonOptions.OpenStore(result);
            foreach (var reference in result.GetValue(references)!)
            {
                var removed = store.Remove(reference);
                foreach (var tag in removed.Untagged)
                    Terminal.Line($"untagged: {tag}");
                if (removed.Deleted is { } id)
                    Terminal.Line($"deleted: {id} (freed {Units.Bytes(removed.Freed.BytesFreed)})");
            }
            return 0;
        });
        return command;
    }
}
