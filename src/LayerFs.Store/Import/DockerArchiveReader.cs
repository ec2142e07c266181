using System.Text.Json;
using System.Text.Json.Nodes;
using LayerFs.Store.Import.Sources;
using LayerFs.Store.Oci;

namespace LayerFs.Store.Import;

/// <summary>
/// Finds the images of a docker archive: `docker save` as written today (manifest.json with
/// Config, RepoTags and Layers paths) and the legacy layout with one &lt;id&gt;/json,
/// &lt;id&gt;/layer.tar and VERSION per layer plus `repositories`. Docker archives carry no
/// registry manifest, so one is generated (docker schema 2) over the layer blobs as stored.
/// </summary>
internal static class DockerArchiveReader
{
    public static bool IsDockerArchive(ISourceFiles files) => files.Exists("manifest.json") || files.Exists("repositories");

    public static List<ImageCandidate> Read(ISourceFiles files, ImportOptions options, string defaultRepository)
    {
        var images = files.Exists("manifest.json") ? ReadCurrent(files, options, defaultRepository) : ReadLegacy(files, options, defaultRepository);
        if (images.Count == 0)
            throw new InvalidImageException($"{files.Description}: the archive holds no images");
        if (options.Name is not null && images.Count > 1)
            throw new StoreException($"{files.Description} holds {images.Count} images; --name can name only one");
        return images;
    }

    private static List<ImageCandidate> ReadCurrent(ISourceFiles files, ImportOptions options, string defaultRepository)
    {
        var what = $"{files.Description}: manifest.json";
        using var doc = Json.Parse(SourceBlobs.ReadAll(files, "manifest.json", SourceBlobs.MaxJsonBlob, "manifest.json"), what);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
            throw new InvalidImageException($"{what}: expected a JSON array");
        var images = new List<ImageCandidate>();
        var i = 0;
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            var itemWhat = $"{what}[{i++}]";
            var configPath = Json.RequiredString(item, "Config", itemWhat);
            var configBytes = SourceBlobs.ReadAll(files, configPath, SourceBlobs.MaxJsonBlob, "config");
            var configDigest = Digest.Of(configBytes);
            // `docker save` names the config by its digest; a file that no longer matches its name was altered.
            var stem = Path.GetFileNameWithoutExtension(configPath);
            if (Digest.TryParseHex(stem, out var named) && named != configDigest)
                throw new InvalidImageException($"{files.Description}: config {configPath} does not match its name (content hashes to {configDigest})");
            var config = ImageConfig.Parse(configBytes, $"{files.Description}: config {configPath}");
            var layerPaths = Json.RequiredArray(item, "Layers", itemWhat).EnumerateArray()
                .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new InvalidImageException($"{itemWhat}: Layers must be strings"))
                .ToList();
            if (layerPaths.Count != config.DiffIds.Count)
                throw new InvalidImageException($"{files.Description}: config {configPath} lists {config.DiffIds.Count} diff_ids for {layerPaths.Count} layers");
            var layers = layerPaths.Select((p, n) => DescribeLayer(files, p) with { ExpectedDiffId = config.DiffIds[n] }).ToList();

            List<string> tags;
            if (options.Name is not null)
                tags = [ImageReference.Normalise(options.Name)];
            else if (item.TryGetProperty("RepoTags", out var repoTags) && repoTags.ValueKind == JsonValueKind.Array && repoTags.GetArrayLength() > 0)
                tags = repoTags.EnumerateArray().Select(t => ImageReference.Normalise(t.GetString() ?? "")).ToList();
            else
                tags = [defaultRepository + ":latest"];

            images.Add(new ImageCandidate
            {
                Layers = layers,
                Tags = tags,
                ConfigBytes = configBytes,
                GeneratedManifestMediaType = MediaTypes.DockerManifest,
            });
        }
        return images;
    }

    /// <summary>
    /// The legacy layout names only the top layer of each tag in `repositories`; each layer's json
    /// names its parent. The v1 json of the top layer becomes the config, with rootfs and history
    /// added once the layers' diff_ids are known.
    /// </summary>
    private static List<ImageCandidate> ReadLegacy(ISourceFiles files, ImportOptions options, string defaultRepository)
    {
        var what = $"{files.Description}: repositories";
        using var doc = Json.Parse(SourceBlobs.ReadAll(files, "repositories", SourceBlobs.MaxJsonBlob, "repositories"), what);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw new InvalidImageException($"{what}: expected a JSON object");
        var byTop = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var repo in doc.RootElement.EnumerateObject())
        {
            if (repo.Value.ValueKind != JsonValueKind.Object)
                throw new InvalidImageException($"{what}: '{Escape.Text(repo.Name)}' must map tags to layer ids");
            foreach (var tag in repo.Value.EnumerateObject())
            {
                var id = tag.Value.GetString() ?? throw new InvalidImageException($"{what}: bad layer id");
                if (!byTop.TryGetValue(id, out var list))
                    byTop[id] = list = [];
                list.Add(ImageReference.Normalise(repo.Name + ":" + tag.Name));
            }
        }
        if (byTop.Count == 0)
            throw new InvalidImageException($"{what}: no tags");

        var images = new List<ImageCandidate>();
        foreach (var (top, tags) in byTop)
        {
            var chain = new List<(string Id, JsonObject Json)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var id = top; id is not null;)
            {
                if (!Digest.TryParseHex(id, out _))
                    throw new InvalidImageException($"{files.Description}: invalid layer id '{Escape.Text(id)}'");
                if (!seen.Add(id))
                    throw new InvalidImageException($"{files.Description}: layer {id} is its own ancestor");
                var json = JsonNode.Parse(SourceBlobs.ReadAll(files, id + "/json", SourceBlobs.MaxJsonBlob, "layer json")) as JsonObject
                    ?? throw new InvalidImageException($"{files.Description}: {id}/json is not a JSON object");
                chain.Add((id, json));
                id = json["parent"]?.GetValue<string>();
            }
            chain.Reverse();
            var layers = chain.Select(c => DescribeLayer(files, c.Id + "/layer.tar")).ToList();
            var topJson = chain[^1].Json;
            var history = chain.Select(c => c.Json).ToList();
            images.Add(new ImageCandidate
            {
                Layers = layers,
                Tags = options.Name is not null ? [ImageReference.Normalise(options.Name)] : tags,
                MakeConfig = diffIds => LegacyConfig(topJson, history, diffIds),
                GeneratedManifestMediaType = MediaTypes.DockerManifest,
            });
        }
        _ = defaultRepository;
        return images;
    }

    private static byte[] LegacyConfig(JsonObject top, List<JsonObject> chain, IReadOnlyList<Digest> diffIds)
    {
        var config = (JsonObject)top.DeepClone();
        foreach (var legacyOnly in new[] { "id", "parent", "Size", "layer_id", "parent_id" })
            config.Remove(legacyOnly);
        config["rootfs"] = new JsonObject
        {
            ["type"] = "layers",
            ["diff_ids"] = new JsonArray(diffIds.Select(d => (JsonNode)JsonValue.Create(d.ToString())).ToArray()),
        };
        var history = new JsonArray();
        foreach (var layer in chain)
        {
            var entry = new JsonObject();
            if (layer["created"] is { } created)
                entry["created"] = created.DeepClone();
            if (layer["container_config"]?["Cmd"] is JsonArray cmd)
                entry["created_by"] = string.Join(' ', cmd.Select(c => c?.ToString()));
            history.Add((JsonNode)entry);
        }
        config["history"] = history;
        return Json.ToUtf8Bytes(config);
    }

    /// <summary>Docker archives state no blob digests: compressed blobs are hashed first; an uncompressed blob is its diff_id.</summary>
    private static LayerBlob DescribeLayer(ISourceFiles files, string path)
    {
        var size = files.SizeOf(path) ?? throw new InvalidImageException($"{files.Description}: layer '{Escape.Text(path)}' is missing");
        Compression compression;
        using (var stream = files.Open(path))
        {
            Span<byte> head = stackalloc byte[4];
            var n = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
            compression = Compressions.FromMagic(head[..n]);
        }
        var mediaType = compression switch
        {
            Compression.Gzip => MediaTypes.DockerLayerGzip,
            Compression.Zstd => MediaTypes.DockerLayerZstd,
            _ => MediaTypes.DockerLayer,
        };
        return new LayerBlob(mediaType, null, size, compression, files, path);
    }
}
