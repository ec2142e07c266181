using System.Text.Json;
using LayerFs.Store.Import;

namespace LayerFs.Store.Export;

/// <summary>
/// Writes a docker-archive as `docker save` does: the config as &lt;id&gt;.json, each layer as an
/// uncompressed &lt;chain-id&gt;/layer.tar (its sha256 is the layer's diff_id; rebuilt from the
/// index, checked as it is read), manifest.json, and `repositories` for the image's name.
/// </summary>
internal static class DockerArchiveWriter
{
    public static void Write(ExportedImage image, ArchiveTar tar)
    {
        var configName = image.Info.Id.Hex + ".json";
        tar.File(configName, image.Config);
        var layerNames = new List<string>();
        foreach (var layer in image.Info.Layers)
        {
            var dir = layer.ChainId.Hex;
            layerNames.Add(dir + "/layer.tar");
            tar.Directory(dir + "/");
            using var content = image.OpenTar(layer);
            tar.File(dir + "/layer.tar", layer.TarSize, content);
        }
        tar.File("manifest.json", Manifest(configName, image.RefName, layerNames));
        if (image.RefName is not null && image.Info.Layers.Count > 0)
            tar.File("repositories", Repositories(image.RefName, image.Info.Layers[^1].ChainId.Hex));
    }

    private static byte[] Manifest(string config, string? refName, List<string> layers)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteString("Config", config);
            w.WriteStartArray("RepoTags");
            if (refName is not null)
                w.WriteStringValue(refName);
            w.WriteEndArray();
            w.WriteStartArray("Layers");
            foreach (var layer in layers)
                w.WriteStringValue(layer);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
        }
        return buffer.ToArray();
    }

    private static byte[] Repositories(string refName, string topLayer)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject(ImageReference.Repository(refName));
            w.WriteString(refName[(refName.LastIndexOf(':') + 1)..], topLayer);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
