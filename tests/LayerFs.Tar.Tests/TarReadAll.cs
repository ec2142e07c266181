using System.Security.Cryptography;
using Xunit;

namespace LayerFs.Tar.Tests;

/// <summary>One entry as the reader gave it, with its data (kept when small) and the data's sha256.</summary>
internal sealed record ReadEntry(TarEntry Entry, byte[]? Data, string DataSha256)
{
    public string Name => System.Text.Encoding.UTF8.GetString(Entry.Name);
    public string LinkName => System.Text.Encoding.UTF8.GetString(Entry.LinkName);
}

/// <summary>Everything read from a stream, and the sha256 of RawBefore + data per entry + Trailer.</summary>
internal sealed record ReadResult(List<ReadEntry> Entries, byte[] Trailer, string ReassemblySha256, long ReassemblyLength)
{
    public ReadEntry Single(string name) => Entries.Single(e => e.Name == name);
}

internal static class TarReadAll
{
    /// <summary>
    /// Reads every entry, reading each entry's data through <see cref="TarReader.Data"/> in
    /// <paramref name="chunk"/>-byte reads, and checks the bookkeeping that the store relies on:
    /// DataOffset is where the data starts in the reassembly, Data yields exactly Size bytes, and
    /// Position ends at the reassembled length.
    /// </summary>
    public static ReadResult Read(Stream input, TarReaderOptions? options = null, int chunk = 81920, long keepDataUpTo = 1 << 20)
    {
        using var reader = new TarReader(input, options, leaveOpen: true);
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var entries = new List<ReadEntry>();
        var length = 0L;
        var buffer = new byte[chunk];
        while (reader.Next() is { } entry)
        {
            whole.AppendData(entry.RawBefore);
            length += entry.RawBefore.Length;
            Assert.Equal(length, entry.DataOffset);
            Assert.Equal(length, reader.Position);
            Assert.Equal(entry.Size, reader.Data.Length);
            using var dataHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var kept = entry.Size <= keepDataUpTo ? new MemoryStream() : null;
            long total = 0;
            int n;
            while ((n = reader.Data.Read(buffer, 0, buffer.Length)) > 0)
            {
                whole.AppendData(buffer, 0, n);
                dataHash.AppendData(buffer, 0, n);
                kept?.Write(buffer, 0, n);
                total += n;
            }
            Assert.Equal(entry.Size, total);
            length += total;
            entries.Add(new ReadEntry(entry, kept?.ToArray(), Convert.ToHexStringLower(dataHash.GetHashAndReset())));
        }
        var trailer = reader.Trailer;
        whole.AppendData(trailer);
        length += trailer.Length;
        Assert.Equal(length, reader.Position);
        Assert.Null(reader.Next()); // the end stays the end
        return new ReadResult(entries, trailer, Convert.ToHexStringLower(whole.GetHashAndReset()), length);
    }

    public static ReadResult Read(byte[] tar, TarReaderOptions? options = null) => Read(new MemoryStream(tar), options);

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string Sha256(Stream stream) => Convert.ToHexStringLower(SHA256.HashData(stream));

    public static string Sha256File(string path)
    {
        using var f = File.OpenRead(path);
        return Sha256(f);
    }

    /// <summary>Reads until the reader fails and returns the exception (the test then checks its message).</summary>
    public static TarFormatException ReadExpectingFailure(byte[] tar, TarReaderOptions? options = null)
    {
        var e = Assert.Throws<TarFormatException>(() =>
        {
            using var reader = new TarReader(new MemoryStream(tar), options);
            var buffer = new byte[4096];
            while (reader.Next() is not null)
                while (reader.Data.Read(buffer) > 0)
                {
                }
        });
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
        return e;
    }
}
