using System.Text.Json;
using LayerFs.Store;
using LayerFs.Store.Model;
using LayerFs.Store.Oci;

namespace LayerFs.Mount.Tree;

/// <summary>
/// layers/&lt;chain&gt;/json: what identifies the layer (diff_id, chain_id, parent), the blob an
/// image has it as (digest, media type, size), its tar size, and the history entry that made it.
/// </summary>
internal static class ChainJson
{
    public static byte[] Build(TreeContext tree, ChainInfo chain)
    {
        var use = tree.Catalog.UseOf(chain.ChainId.Hex);
        var history = use is { } u ? HistoryOf(tree, u.Image, u.Layer.Position) : null;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("chain_id", chain.ChainId.ToString());
            json.WriteString("diff_id", chain.DiffId.ToString());
            if (chain.Parent is { } parent)
                json.WriteString("parent", parent.ToString());
            else
                json.WriteNull("parent");
            json.WriteNumber("depth", chain.Depth);
            if (use is { } found)
            {
                json.WriteString("blob_digest", found.Layer.BlobDigest.ToString());
                json.WriteString("media_type", found.Layer.MediaType);
                json.WriteNumber("blob_size", found.Layer.BlobSize);
                json.WriteNumber("tar_size", found.Layer.TarSize);
            }
            else if (tree.Reader.LayerTarSize(chain.LayerId) is { } tarSize)
            {
                json.WriteNumber("tar_size", tarSize);
            }
            if (history is not null)
            {
                if (history.Created is not null)
                    json.WriteString("created", history.Created);
                if (history.CreatedBy is not null)
                    json.WriteString("created_by", history.CreatedBy);
                if (history.Comment is not null)
                    json.WriteString("comment", history.Comment);
            }
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>The history entry of the image's layer at a position: the n-th one that is not an empty layer.</summary>
    private static HistoryEntry? HistoryOf(TreeContext tree, ImageInfo image, int position)
    {
        try
        {
            var config = ImageConfig.Parse(tree.Content.ReadAllVerified(image.Id), $"config {image.Id}");
            var layers = config.History.Where(h => !h.EmptyLayer).ToList();
            return position < layers.Count ? layers[position] : null;
        }
        catch (Exception e) when (e is StoreException or IOException)
        {
            Serilog.Log.Debug("history of {Image}: {Error}", image.Id, e.Message);
            return null;
        }
    }
}
