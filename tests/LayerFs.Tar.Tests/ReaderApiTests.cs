using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace LayerFs.Tar.Tests;

/// <summary>How the reader's Data, Trailer and lifetime behave for the code that drives it (the importer).</summary>
public sealed class ReaderApiTests(ITestOutputHelper output)
{
    private static byte[] Bytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Fact]
    public void Unread_data_is_skipped_by_Next()
    {
        var a = Bytes(100_000, 1);
        var b = Bytes(777, 2);
        var tar = new RawTar().File("a", a).File("b", b).End().ToArray();
        using var reader = new TarReader(new MemoryStream(tar));
        Assert.Equal("a"u8.ToArray(), reader.Next()!.Name);
        var head = new byte[10];
        Assert.Equal(10, reader.Data.Read(head));
        Assert.Equal(a[..10], head);
        Assert.Equal(10, reader.Data.Position);
        var second = reader.Next()!;
        Assert.Equal("b"u8.ToArray(), second.Name);
        var ms = new MemoryStream();
        reader.Data.CopyTo(ms);
        Assert.Equal(b, ms.ToArray());
        Assert.Null(reader.Next());
        Assert.Equal(tar.Length, reader.Position);
    }

    [Fact]
    public void Data_of_a_previous_entry_cannot_be_read()
    {
        var tar = new RawTar().File("a", Bytes(50, 1)).File("b", Bytes(50, 2)).End().ToArray();
        using var reader = new TarReader(new MemoryStream(tar));
        reader.Next();
        var stale = reader.Data;
        reader.Next();
        Assert.Throws<ObjectDisposedException>(() => stale.Read(new byte[10]));
        Assert.False(stale.CanRead);
        Assert.Equal(50, reader.Data.Read(new byte[100]));
    }

    [Fact]
    public void Disposing_Data_does_not_lose_the_entry()
    {
        var a = Bytes(3000, 3);
        var tar = new RawTar().File("a", a).End().ToArray();
        using var reader = new TarReader(new MemoryStream(tar));
        reader.Next();
        var first = new byte[1000];
        using (var data = reader.Data)
            data.ReadExactly(first);
        var rest = new MemoryStream();
        reader.Data.CopyTo(rest);
        Assert.Equal(a, first.Concat(rest.ToArray()).ToArray());
    }

    [Fact]
    public void Data_and_Trailer_before_they_exist()
    {
        using var reader = new TarReader(new MemoryStream(new RawTar().File("a", []).End().ToArray()));
        Assert.Throws<InvalidOperationException>(() => reader.Data);
        Assert.Throws<InvalidOperationException>(() => reader.Trailer);
        reader.Next();
        Assert.Equal(0, reader.Data.Read(new byte[1]));
        Assert.Throws<InvalidOperationException>(() => reader.Trailer);
        Assert.Null(reader.Next());
        Assert.Throws<InvalidOperationException>(() => reader.Data);
        Assert.Equal(1024, reader.Trailer.Length);
    }

    [Fact]
    public void Data_stream_is_read_only_forward_only_and_knows_its_length()
    {
        using var reader = new TarReader(new MemoryStream(new RawTar().File("a", Bytes(700, 4)).End().ToArray()));
        reader.Next();
        var data = reader.Data;
        Assert.True(data.CanRead);
        Assert.False(data.CanSeek);
        Assert.False(data.CanWrite);
        Assert.Equal(700, data.Length);
        Assert.Throws<NotSupportedException>(() => data.Seek(0, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => data.Write(new byte[1]));
        Assert.NotEqual(-1, data.ReadByte());
        Assert.Equal(1, data.Position);
    }

    [Fact]
    public async Task Data_can_be_read_asynchronously()
    {
        var a = Bytes(200_000, 5);
        using var reader = new TarReader(new MemoryStream(new RawTar().File("a", a).End().ToArray()));
        reader.Next();
        var ms = new MemoryStream();
        await reader.Data.CopyToAsync(ms);
        Assert.Equal(a, ms.ToArray());
    }

    [Fact]
    public void Disposing_the_reader_closes_the_stream_unless_told_not_to()
    {
        var tar = new RawTar().File("a", Bytes(10, 1)).End().ToArray();
        var owned = new MemoryStream(tar);
        using (var reader = new TarReader(owned))
            reader.Next();
        Assert.False(owned.CanRead);

        var borrowed = new MemoryStream(tar);
        var r2 = new TarReader(borrowed, leaveOpen: true);
        r2.Next();
        var data = r2.Data;
        r2.Dispose();
        Assert.True(borrowed.CanRead);
        Assert.Throws<ObjectDisposedException>(() => data.Read(new byte[1]));
        Assert.Throws<ObjectDisposedException>(() => r2.Next());
    }

    [Fact]
    public void Large_data_reads_bypass_the_buffer()
    {
        // 8 MiB read with a 1 MiB buffer from a stream that returns whole requests: the reader must
        // not chop the reads into its own buffer's size.
        var a = Bytes(8 << 20, 6);
        var counting = new CountingStream(new MemoryStream(new RawTar().File("a", a).End().ToArray()));
        using var reader = new TarReader(counting);
        reader.Next();
        var buffer = new byte[1 << 20];
        var all = new MemoryStream();
        int n;
        while ((n = reader.Data.Read(buffer)) > 0)
            all.Write(buffer, 0, n);
        Assert.Equal(a, all.ToArray());
        Assert.True(counting.Reads < 16, $"{counting.Reads} reads of the underlying stream for 8 MiB");
    }

    [Fact]
    public void Reads_100k_entries_quickly()
    {
        // The import hot path: many small files. Build the stream with TarWriter, then time the reader.
        const int count = 100_000;
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, leaveOpen: true))
        {
            var content = new byte[100];
            for (var i = 0; i < count; i++)
            {
                writer.WriteEntry(new TarWriterEntry { Type = TarEntryType.Regular, Name = System.Text.Encoding.ASCII.GetBytes($"usr/share/dir{i % 100}/file{i}"), Mode = 0x1a4, Size = content.Length },
                    new MemoryStream(content));
            }
            writer.Finish();
        }
        var bytes = tar.ToArray();
        var entries = 0;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        using (var reader = new TarReader(new MemoryStream(bytes)))
        {
            var buffer = new byte[4096];
            while (reader.Next() is not null)
            {
                entries++;
                while (reader.Data.Read(buffer) > 0)
                {
                }
            }
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        output.WriteLine($"{count} entries, {bytes.Length >> 20} MiB: {allocated / count} bytes allocated per entry");
        Assert.Equal(count, entries);
        // Speed is measured by the bench, not here; a per-entry buffer allocation would show in this bound.
        Assert.True(allocated / count < 2500, $"{allocated / count} bytes allocated per entry");
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        public int Reads { get; private set; }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            Reads++;
            return inner.Read(buffer);
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
