using LayerFs.Store;
using LayerFs.Store.Oci;
using LayerFs.Tar;

namespace LayerFs.Fuzz;

/// <summary>
/// What the fuzzers feed arbitrary bytes to. A target may refuse its input only with the
/// exception the parser documents for bad input; anything else (an index out of range, a null
/// reference, a hang, an out-of-memory) is a bug the fuzzer reports as a crash.
/// </summary>
public static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, Action<Stream>> All = new Dictionary<string, Action<Stream>>(StringComparer.Ordinal)
    {
        ["tar"] = Tar,
        ["manifest"] = s => Json(s, bytes => ImageManifest.Parse(bytes, null, "fuzz")),
        ["index"] = s => Json(s, bytes => ImageIndex.Parse(bytes, "fuzz")),
        ["config"] = s => Json(s, bytes => ImageConfig.Parse(bytes, "fuzz")),
    };

    private static void Tar(Stream input)
    {
        try
        {
            using var reader = new TarReader(input, new TarReaderOptions { MaxExtensionHeaderSize = 1 << 16, MaxEntrySize = 1 << 24 }, leaveOpen: true);
            var buffer = new byte[4096];
            while (reader.Next() is { } entry)
            {
                // Read every byte of data, as the importer does.
                while (reader.Data.Read(buffer) > 0)
                {
                }
                _ = entry.RawBefore.Length;
            }
            _ = reader.Trailer.Length;
        }
        catch (TarFormatException)
        {
        }
    }

    private static void Json(Stream input, Action<byte[]> parse)
    {
        using var ms = new MemoryStream();
        input.CopyTo(ms);
        try
        {
            parse(ms.ToArray());
        }
        catch (InvalidImageException)
        {
        }
    }
}
