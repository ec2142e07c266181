using System.Text.RegularExpressions;
using LayerFs.Store.Import.Sources;

namespace LayerFs.Store.Import;

/// <summary>What kind of image source a path is.</summary>
internal enum SourceKind
{
    OciLayout,
    DockerArchive,
    PlainLayer,
}

/// <summary>
/// Recognises an import path by its content, not its name: a directory with index.json is an
/// OCI layout; one with manifest.json or repositories a docker save; a file is opened (through
/// gzip or zstd if its magic says so) and, if it is a tar, the same test is applied to its top level;
/// any other tar is a plain layer.
/// </summary>
internal static partial class SourceDetector
{
    public sealed record Detected(SourceKind Kind, ISourceFiles Files, Compression Compression, string DefaultRepository) : IDisposable
    {
        public void Dispose() => Files.Dispose();
    }

    public static Detected Open(string path, StoreLayout layout)
    {
        var repository = DefaultRepository(path);
        if (Directory.Exists(path))
        {
            var dir = new DirectoryFiles(path);
            if (dir.Exists("index.json"))
                return new Detected(SourceKind.OciLayout, dir, Compression.None, repository);
            if (DockerArchiveReader.IsDockerArchive(dir))
                return new Detected(SourceKind.DockerArchive, dir, Compression.None, repository);
            throw new InvalidImageException($"{dir.Description}: not an image (no index.json, manifest.json or repositories)");
        }
        if (!File.Exists(path))
            throw new StoreException($"{path}: no such file or directory");

        Compression compression;
        using (var probe = File.OpenRead(path))
        {
            Span<byte> head = stackalloc byte[4];
            var n = probe.ReadAtLeast(head, 4, throwOnEndOfStream: false);
            compression = Compressions.FromMagic(head[..n]);
        }

        string archive = path;
        string? temp = null;
        if (compression != Compression.None)
        {
            // A compressed archive of an image layout must be unpacked to be read at random;
            // if it turns out to be a plain layer, the temporary copy is not needed.
            if (!LooksLikeImageArchive(path, compression))
                return new Detected(SourceKind.PlainLayer, new SingleFile(path), compression, repository);
            temp = Path.Combine(layout.IngestDir, $"archive-{Environment.ProcessId}-{Guid.NewGuid():N}");
            using (var input = Compressions.Decompress(File.OpenRead(path), compression))
            using (var output = File.Create(temp))
                input.CopyTo(output);
            archive = temp;
        }

        TarArchiveFiles files;
        try
        {
            files = new TarArchiveFiles(archive, Path.GetFullPath(path), temp);
        }
        catch
        {
            if (temp is not null)
                File.Delete(temp);
            throw;
        }
        if (files.Exists("index.json") && files.Exists("oci-layout"))
            return new Detected(SourceKind.OciLayout, files, Compression.None, repository);
        if (files.Exists("manifest.json") || (files.Exists("repositories") && files.List("").Any(n => files.Exists(n + "/layer.tar"))))
            return new Detected(SourceKind.DockerArchive, files, Compression.None, repository);
        files.Dispose();
        return new Detected(SourceKind.PlainLayer, new SingleFile(path), compression, repository);
    }

    /// <summary>Reads the first few members of a compressed tar to see whether it is an image archive.</summary>
    private static bool LooksLikeImageArchive(string path, Compression compression)
    {
        try
        {
            using var input = Compressions.Decompress(File.OpenRead(path), compression);
            using var reader = new LayerFs.Tar.TarReader(input);
            for (var i = 0; i < 16 && reader.Next() is { } entry; i++)
            {
                var name = System.Text.Encoding.UTF8.GetString(entry.Name).TrimStart('.', '/');
                if (name is "oci-layout" or "index.json" or "manifest.json" or "repositories")
                    return true;
            }
        }
        catch (Exception e) when (e is LayerFs.Tar.TarFormatException or InvalidDataException or IOException)
        {
            // Not a readable tar: the layer import will say what is wrong with it.
        }
        return false;
    }

    /// <summary>A repository name from the file or directory name ("busybox.oci.tar" → "busybox").</summary>
    private static string DefaultRepository(string path)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))).ToLowerInvariant();
        var dot = name.IndexOf('.');
        if (dot > 0)
            name = name[..dot];
        name = NotAllowed().Replace(name, "-").Trim('-', '_', '.');
        return ImageReference.TryNormalise(name, out _, out _) && name.Length > 0 ? name : "imported";
    }

    [GeneratedRegex("[^a-z0-9._-]+")]
    private static partial Regex NotAllowed();
}
