using LayerFs.Store.Import.Sources;
using LayerFs.Store.Oci;

namespace LayerFs.Store.Import;

/// <summary>Reads small blobs (indexes, manifests, configs) from a source, checking size and digest.</summary>
internal static class SourceBlobs
{
    public const long MaxJsonBlob = 8 << 20;

    public static string PathOf(Digest digest) => "blobs/sha256/" + digest.Hex;

    public static byte[] ReadVerified(ISourceFiles files, Descriptor descriptor, string what)
    {
        var path = PathOf(descriptor.Digest);
        var size = files.SizeOf(path) ?? throw new InvalidImageException($"{files.Description}: {what} {descriptor.Digest} is missing");
        if (size != descriptor.Size)
            throw new InvalidImageException($"{files.Description}: {what} {descriptor.Digest} has {size} bytes, but its descriptor says {descriptor.Size}");
        if (size > MaxJsonBlob)
            throw new InvalidImageException($"{files.Description}: {what} {descriptor.Digest} is too large ({size} bytes)");
        var data = ReadAll(files, path, MaxJsonBlob, what);
        var actual = Digest.Of(data);
        if (actual != descriptor.Digest)
            throw new InvalidImageException($"{files.Description}: {what} {descriptor.Digest} does not match its content (it hashes to {actual})");
        return data;
    }

    public static byte[] ReadAll(ISourceFiles files, string path, long maxSize, string what)
    {
        var size = files.SizeOf(path) ?? throw new InvalidImageException($"{files.Description}: {what} '{Escape.Text(path)}' is missing");
        if (size > maxSize)
            throw new InvalidImageException($"{files.Description}: {what} '{Escape.Text(path)}' is too large ({size} bytes)");
        using var stream = files.Open(path);
        var data = new byte[size];
        stream.ReadExactly(data);
        return data;
    }
}
