using LayerFs.Store.Import.Sources;
using LayerFs.Store.Oci;

namespace LayerFs.Store.Import;

/// <summary>
/// Finds the images of an OCI image layout (a directory or an oci-archive): index.json, nested
/// indexes resolved to one manifest per reference and platform.
/// </summary>
internal static class OciLayoutReader
{
    private const int MaxIndexDepth = 8;

    public static List<ImageCandidate> Read(ISourceFiles files, ImportOptions options, string defaultRepository)
    {
        var what = $"{files.Description}: index.json";
        var index = ImageIndex.Parse(SourceBlobs.ReadAll(files, "index.json", SourceBlobs.MaxJsonBlob, "index.json"), what);
        var platform = Platform.ParseOrDefault(options.Platform);

        var found = new List<(string? Ref, Descriptor Manifest)>();
        foreach (var descriptor in index.Manifests)
            Resolve(files, descriptor, descriptor.RefName, found, [], 0);
        if (found.Count == 0)
            throw new InvalidImageException($"{what}: no image manifests");

        var chosen = new List<(string? Ref, Descriptor Manifest)>();
        foreach (var group in found.GroupBy(f => f.Ref))
        {
            var list = group.ToList();
            if (list.Count == 1 && (list[0].Manifest.Platform is null || options.Platform is null || platform.Matches(list[0].Manifest.Platform)))
            {
                chosen.Add(list[0]);
                continue;
            }
            var matching = list.Where(f => platform.Matches(f.Manifest.Platform)).ToList();
            if (matching.Count == 0)
            {
                var available = string.Join(", ", list.Select(f => f.Manifest.Platform?.ToString() ?? "unknown").Distinct());
                throw new InvalidImageException($"{files.Description}: no manifest for platform {platform}{(group.Key is null ? "" : $" in '{Escape.Text(group.Key)}'")} (available: {available}); choose one with --platform");
            }
            chosen.Add(matching[0]);
        }

        if (options.Name is not null && chosen.Count > 1)
            throw new StoreException($"{files.Description} holds {chosen.Count} images; --name can name only one (import without --name to keep their own names)");

        return chosen.Select(c => ReadImage(files, c.Manifest, Tags(c.Ref, options, defaultRepository))).ToList();
    }

    private static void Resolve(ISourceFiles files, Descriptor descriptor, string? refName, List<(string?, Descriptor)> found, HashSet<Digest> visiting, int depth)
    {
        if (MediaTypes.IsManifest(descriptor.MediaType))
        {
            found.Add((refName, descriptor));
            return;
        }
        if (!MediaTypes.IsIndex(descriptor.MediaType))
            throw new InvalidImageException($"{files.Description}: unknown media type '{Escape.Text(descriptor.MediaType)}' for {descriptor.Digest}");
        if (depth >= MaxIndexDepth || !visiting.Add(descriptor.Digest))
            throw new InvalidImageException($"{files.Description}: image index {descriptor.Digest} refers to itself (or nests deeper than {MaxIndexDepth})");
        var nested = ImageIndex.Parse(SourceBlobs.ReadVerified(files, descriptor, "image index"), $"{files.Description}: index {descriptor.Digest}");
        foreach (var child in nested.Manifests)
            Resolve(files, child, child.RefName ?? refName, found, visiting, depth + 1);
        visiting.Remove(descriptor.Digest);
    }

    private static List<string> Tags(string? refName, ImportOptions options, string defaultRepository)
    {
        if (options.Name is not null)
            return [ImageReference.Normalise(options.Name)];
        if (refName is null)
            return [defaultRepository + ":latest"];
        // ref.name is either a bare tag ("latest") or a whole reference ("example.com/app:1.0").
        if (!refName.Contains('/', StringComparison.Ordinal) && !refName.Contains(':', StringComparison.Ordinal))
            return [ImageReference.Normalise(defaultRepository + ":" + refName)];
        return [ImageReference.Normalise(refName)];
    }

    private static ImageCandidate ReadImage(ISourceFiles files, Descriptor manifestDescriptor, List<string> tags)
    {
        var manifestBytes = SourceBlobs.ReadVerified(files, manifestDescriptor, "manifest");
        var manifest = ImageManifest.Parse(manifestBytes, manifestDescriptor.MediaType, $"{files.Description}: manifest {manifestDescriptor.Digest}");
        var configBytes = SourceBlobs.ReadVerified(files, manifest.Config, "config");
        var config = ImageConfig.Parse(configBytes, $"{files.Description}: config {manifest.Config.Digest}");
        if (config.DiffIds.Count != manifest.Layers.Count)
            throw new InvalidImageException($"{files.Description}: config {manifest.Config.Digest} lists {config.DiffIds.Count} diff_ids for {manifest.Layers.Count} layers");
        var layers = manifest.Layers.Select((l, i) => new LayerBlob(l.MediaType, l.Digest, l.Size, MediaTypes.LayerCompression(l.MediaType)!.Value, files, SourceBlobs.PathOf(l.Digest))
        {
            ExpectedDiffId = config.DiffIds[i],
        }).ToList();
        foreach (var layer in layers)
            if (files.SizeOf(layer.Path) is not { } size)
                throw new InvalidImageException($"{files.Description}: layer blob {layer.BlobDigest} is missing");
            else if (size != layer.Size)
                throw new InvalidImageException($"{files.Description}: layer blob {layer.BlobDigest} has {size} bytes, but the manifest says {layer.Size}");
        return new ImageCandidate
        {
            Layers = layers,
            Tags = tags,
            ConfigBytes = configBytes,
            ManifestBytes = manifestBytes,
        };
    }
}
