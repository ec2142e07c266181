using System.Text;
using System.Text.Json;
using LayerFs.Store.Content;
using LayerFs.Store.Index;
using LayerFs.Store.Objects;
using LayerFs.Store.Oci;
using Microsoft.Data.Sqlite;
using Serilog;

namespace LayerFs.Store.Import;

/// <summary>What one import added.</summary>
public sealed record ImportResult(IReadOnlyList<ImportedImage> Images, int LayersRead, int LayersNew, int FilesNew, long BytesNew);

public sealed record ImportedImage(Digest Id, IReadOnlyList<string> Tags, int LayerCount, bool New);

/// <summary>
/// `layerfs import`: finds the images in a source, reads every layer not yet in the store
/// (in parallel, one pass each), and records everything in one index transaction. On any
/// failure every file it added is removed again, so the store is as it was.
/// </summary>
internal sealed class ImageImporter
{
    private static readonly ILogger Log = Serilog.Log.ForContext<ImageImporter>();

    private readonly StoreLayout _layout;
    private readonly SqliteConnection _db;
    private readonly ContentStore _content;
    private readonly ObjectStore _objects;

    public ImageImporter(StoreLayout layout, SqliteConnection db, ContentStore content, ObjectStore objects)
    {
        _layout = layout;
        _db = db;
        _content = content;
        _objects = objects;
    }

    public ImportResult Import(string path, ImportOptions options)
    {
        var changes = new StoreChanges();
        try
        {
            using var source = SourceDetector.Open(path, _layout);
            var candidates = source.Kind switch
            {
                SourceKind.OciLayout => OciLayoutReader.Read(source.Files, options, source.DefaultRepository),
                SourceKind.DockerArchive => DockerArchiveReader.Read(source.Files, options, source.DefaultRepository),
                _ => [PlainLayerReader.Read((Sources.SingleFile)source.Files, source.Compression, options, source.DefaultRepository)],
            };
            Log.Debug("import {Path}: {Kind}, {Count} image(s)", path, source.Kind, candidates.Count);
            return ImportCandidates(candidates, options, changes);
        }
        catch
        {
            changes.Rollback();
            throw;
        }
    }

    /// <summary>
    /// Records images whose candidates the caller made itself (`layerfs commit`): the same
    /// pipeline as an import from a source, so blobs, objects, index rows and tar-split records
    /// are exactly what importing that image would give, with the same rollback on failure.
    /// </summary>
    public ImportResult Import(IReadOnlyList<ImageCandidate> candidates, ImportOptions options)
    {
        var changes = new StoreChanges();
        try
        {
            return ImportCandidates([.. candidates], options, changes);
        }
        catch
        {
            changes.Rollback();
            throw;
        }
    }

    private ImportResult ImportCandidates(List<ImageCandidate> candidates, ImportOptions options, StoreChanges changes)
    {
        // Each distinct blob is read once, even when several images (or one image twice) use it.
        var blobs = candidates.SelectMany(c => c.Layers).DistinctBy(l => (l.Files, l.Path)).ToList();
        var knownDiffIds = Query("SELECT diff_id FROM layers").ToHashSet(StringComparer.Ordinal);
        var knownBlobs = Query("SELECT blob_digest || ' ' || diff_id FROM layer_blobs")
            .Select(s => s.Split(' '))
            .ToDictionary(s => s[0], s => s[1], StringComparer.Ordinal);

        var total = blobs.Sum(b => b.Size);
        long done = 0;
        void Progress(long n)
        {
            var now = Interlocked.Add(ref done, n);
            options.Progress?.Report(new ImportProgress(now, total, "layers"));
        }

        var results = new LayerReader.Result?[blobs.Count];
        var reader = new LayerReader(_content, _objects, changes, options, Progress);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Math.Min(Environment.ProcessorCount, 4)) };
        try
        {
            Parallel.For(0, blobs.Count, parallel, i =>
            {
                var blob = blobs[i];
                var name = $"layer {i + 1}/{blobs.Count} ({(blob.BlobDigest?.ToString() ?? blob.Path)})";
                // A blob the store already holds was verified when it came in: nothing to read.
                if (blob.BlobDigest is { } digest && knownBlobs.TryGetValue(digest.ToString(), out var diff) && knownDiffIds.Contains(diff)
                    && (blob.ExpectedDiffId is null || blob.ExpectedDiffId.Value.ToString() == diff))
                {
                    Progress(blob.Size);
                    results[i] = new LayerReader.Result(digest, Digest.Parse(diff), TarSizeOf(diff), blob.Compression != Compression.None, null);
                    return;
                }
                var indexEntries = blob.ExpectedDiffId is not { } expected || !knownDiffIds.Contains(expected.ToString());
                results[i] = reader.Read(blob, name, indexEntries);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Report the first failure as itself: one clear line, not an aggregate.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }

        var byBlob = new Dictionary<(Sources.ISourceFiles, string), LayerReader.Result>();
        for (var i = 0; i < blobs.Count; i++)
            byBlob[(blobs[i].Files, blobs[i].Path)] = results[i]!;

        var newLayers = results.Select(r => r!.Layer).OfType<PendingLayer>()
            .Where(l => !knownDiffIds.Contains(l.DiffId.ToString()))
            .DistinctBy(l => l.DiffId)
            .ToList();

        var images = new List<PendingImage>();
        var imported = new List<ImportedImage>();
        foreach (var candidate in candidates)
        {
            var layerResults = candidate.Layers.Select(l => byBlob[(l.Files, l.Path)]).ToList();
            var image = Assemble(candidate, layerResults, changes);
            images.Add(image);
            imported.Add(new ImportedImage(image.Id, image.Tags, image.Layers.Count, !ImageExists(image.Id)));
        }

        // Every new file is on disk before the transaction that makes it reachable commits.
        changes.MakeDurable(_layout);
        IndexWriter.WriteImport(_db, newLayers, images);
        return new ImportResult(
            imported,
            results.Count(r => r!.Layer is not null),
            newLayers.Count,
            changes.Count,
            newLayers.Sum(l => l.TarSize));
    }

    /// <summary>Checks the config against the layers, generates what the source lacks, stores config and manifest.</summary>
    private PendingImage Assemble(ImageCandidate candidate, List<LayerReader.Result> layers, StoreChanges changes)
    {
        var diffIds = layers.Select(l => l.DiffId).ToList();
        var configBytes = candidate.ConfigBytes ?? candidate.MakeConfig!(diffIds);
        var configDigest = Digest.Of(configBytes);
        var config = ImageConfig.Parse(configBytes, $"config {configDigest}");
        if (!config.DiffIds.SequenceEqual(diffIds))
            throw new InvalidImageException($"config {configDigest}: its diff_ids do not match the layers' content");

        string manifestMediaType;
        byte[] manifestBytes;
        List<(Digest Blob, string MediaType, long Size)> layerBlobs;
        if (candidate.ManifestBytes is { } given)
        {
            manifestBytes = given;
            var manifest = ImageManifest.Parse(given, null, "manifest");
            manifestMediaType = manifest.MediaType;
            layerBlobs = manifest.Layers.Select(l => (l.Digest, l.MediaType, l.Size)).ToList();
        }
        else
        {
            manifestMediaType = candidate.GeneratedManifestMediaType;
            layerBlobs = candidate.Layers.Select((l, i) => (layers[i].BlobDigest, l.MediaType, l.Size)).ToList();
            manifestBytes = GenerateManifest(manifestMediaType, configDigest, configBytes.Length, layerBlobs);
        }
        var manifestDigest = Digest.Of(manifestBytes);
        _content.Put(configDigest, configBytes, changes);
        _content.Put(manifestDigest, manifestBytes, changes);

        var chain = new List<PendingImageLayer>();
        Digest? parent = null;
        for (var i = 0; i < layers.Count; i++)
        {
            var chainId = parent is { } p ? Digest.Of(Encoding.ASCII.GetBytes($"{p} {diffIds[i]}")) : diffIds[i];
            var (blob, mediaType, size) = layerBlobs[i];
            chain.Add(new PendingImageLayer(chainId, diffIds[i], blob, mediaType, size, layers[i].BlobStored));
            parent = chainId;
        }
        return new PendingImage(configDigest, configBytes.Length, manifestDigest, manifestMediaType, config.Created, config.Os, config.Architecture, chain, candidate.Tags);
    }

    /// <summary>A manifest over the blobs as stored; compact JSON in a fixed order, so the same image always gets the same bytes.</summary>
    internal static byte[] GenerateManifest(string mediaType, Digest config, long configSize, IReadOnlyList<(Digest Blob, string MediaType, long Size)> layers)
    {
        var configType = mediaType == MediaTypes.DockerManifest ? MediaTypes.DockerConfig : MediaTypes.OciConfig;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", mediaType);
            w.WriteStartObject("config");
            w.WriteString("mediaType", configType);
            w.WriteString("digest", config.ToString());
            w.WriteNumber("size", configSize);
            w.WriteEndObject();
            w.WriteStartArray("layers");
            foreach (var (blob, type, size) in layers)
            {
                w.WriteStartObject();
                w.WriteString("mediaType", type);
                w.WriteString("digest", blob.ToString());
                w.WriteNumber("size", size);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private List<string> Query(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read())
            list.Add(r.GetString(0));
        return list;
    }

    private long TarSizeOf(string diffId)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT tar_size FROM layers WHERE diff_id = $d";
        cmd.Parameters.AddWithValue("$d", diffId);
        return (long)cmd.ExecuteScalar()!;
    }

    private bool ImageExists(Digest id)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM images WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id.ToString());
        return cmd.ExecuteScalar() is not null;
    }

}
