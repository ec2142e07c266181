using System.Text;
using Xunit;

namespace LayerFs.Tar.Tests;

/// <summary>
/// TarWriter (used by `layerfs commit`): what it writes reads back field for field, equal input
/// gives equal bytes, and PAX appears only where ustar cannot hold a value.
/// </summary>
public sealed class TarWriterTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] Random(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    /// <summary>One of everything the writer must handle, with its content.</summary>
    internal static List<(TarWriterEntry Entry, byte[]? Content)> Showcase()
    {
        var longName = string.Join('/', Enumerable.Range(0, 6).Select(i => new string((char)('a' + i), 50))) + "/file"; // 311 bytes
        var splittable = new string('p', 100) + "/" + new string('q', 60); // 161 bytes: prefix + name
        var xattrs = new List<KeyValuePair<string, byte[]>>
        {
            new("user.zeta", B("last")),
            new("security.capability", [1, 0, 0, 2, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            new("user.empty", []),
            new("user.binary", [0, 0xff, (byte)'\n', (byte)'=', 0]),
            new("trusted.overlay.opaque", B("y")),
        };
        return
        [
            (new TarWriterEntry { Type = TarEntryType.Directory, Name = B("d"), Mode = 0x1ed, MTimeSeconds = 1700000000 }, null),
            (new TarWriterEntry { Type = TarEntryType.Directory, Name = B("sticky/"), Mode = 0x3ff, MTimeSeconds = 1700000000 }, null),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = B("d/f.txt"), Mode = 0x1a4, Uid = 1000, Gid = 1000, MTimeSeconds = 1700000001, Size = 6 }, B("hello\n")),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = B("d/empty"), Mode = 0x180 }, null),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = B("d/big.bin"), Mode = 0x1a4, Size = 70_000 }, Random(70_000, 1)),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = B("d/block.bin"), Mode = 0x1a4, Size = 512 }, Random(512, 2)),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = B("setuid"), Mode = 0x9ed, MTimeSeconds = 1 }, null), // 04755
            (new TarWriterEntry { Type = TarEntryType.Symlink, Name = B("d/link"), LinkName = B("f.txt"), Mode = 0x1ff, MTimeSeconds = 1700000002 }, null),
            (new TarWriterEntry { Type = TarEntryType.HardLink, Name = B("d/hard"), LinkName = B("d/f.txt"), Mode = 0x1a4, Uid = 1000, Gid = 1000, MTimeSeconds = 1700000001 }, null),
            (new TarWriterEntry { Type = TarEntryType.CharDevice, Name = B("dev/null"), Mode = 0x1b6, DevMajor = 1, DevMinor = 3 }, null),
            (new TarWriterEntry { Type = TarEntryType.BlockDevice, Name = B("dev/loop7"), Mode = 0x1b0, DevMajor = 7, DevMinor = 7, Gid = 6 }, null),
            (new TarWriterEntry { Type = TarEntryType.Fifo, Name = B("fifo"), Mode = 0x1a4 }, null),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = B(longName), Mode = 0x1a4, Size = 4 }, B("long")),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = B(splittable), Mode = 0x1a4 }, null),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = B("ünïcödé-名前.txt"), Mode = 0x1a4 }, null),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = [(byte)'r', (byte)'a', (byte)'w', 0xff, 0x80, (byte)'!'], Mode = 0x1a4 }, null),
            (new TarWriterEntry { Type = TarEntryType.Symlink, Name = B("longlink"), LinkName = B(new string('t', 200)), Mode = 0x1ff }, null),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = B("bigid"), Mode = 0x1a4, Uid = 3_000_000, Gid = uint.MaxValue - 1 }, null),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = B("nanotime"), Mode = 0x1a4, MTimeSeconds = 1672531200, MTimeNanoseconds = 123456789 }, null),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = B("negtime"), Mode = 0x1a4, MTimeSeconds = -1000000001, MTimeNanoseconds = 500000000 }, null),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = B("before1970"), Mode = 0x1a4, MTimeSeconds = -315619200 }, null),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = B("future"), Mode = 0x1a4, MTimeSeconds = 100_000_000_000 }, null),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = B("xattrs"), Mode = 0x1a4, Xattrs = xattrs, Size = 2 }, B("x\n")),
        ];
    }

    private static byte[] Write(IEnumerable<(TarWriterEntry Entry, byte[]? Content)> entries, Action<TarWriter>? more = null)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, leaveOpen: true))
        {
            foreach (var (entry, content) in entries)
                writer.WriteEntry(entry, content is null ? null : new MemoryStream(content));
            more?.Invoke(writer);
            writer.Finish();
            Assert.Equal(output.Length, writer.Position);
        }
        return output.ToArray();
    }

    [Fact]
    public void Every_entry_reads_back_with_every_field()
    {
        var showcase = Showcase();
        var tar = Write(showcase, w =>
        {
            w.WriteWhiteout("d/gone"u8, mtimeSeconds: 5);
            w.WriteOpaqueWhiteout("sticky/"u8);
        });
        var read = TarReadAll.Read(tar);
        Assert.Equal(TarReadAll.Sha256(tar), read.ReassemblySha256);
        Assert.Equal(showcase.Count + 2, read.Entries.Count);
        for (var i = 0; i < showcase.Count; i++)
        {
            var (w, content) = showcase[i];
            var r = read.Entries[i].Entry;
            var expectedName = w.Type == TarEntryType.Directory && w.Name[^1] != '/' ? [.. w.Name, (byte)'/'] : w.Name;
            Assert.Equal(expectedName, r.Name);
            Assert.Equal(w.LinkName, r.LinkName);
            Assert.Equal(w.Type, r.Type);
            Assert.Equal(w.Mode, r.Mode);
            Assert.Equal((w.Uid, w.Gid), (r.Uid, r.Gid));
            Assert.Equal((w.MTimeSeconds, w.MTimeNanoseconds), (r.MTimeSeconds, r.MTimeNanoseconds));
            Assert.Equal((w.DevMajor, w.DevMinor), (r.DevMajor, r.DevMinor));
            Assert.Equal(w.Size, r.Size);
            Assert.Equal(content ?? [], read.Entries[i].Data);
            Assert.Equal(w.Xattrs.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => (x.Key, x.Value)), r.Xattrs.Select(x => (x.Key, x.Value)));
        }
        var whiteout = read.Entries[^2].Entry;
        Assert.Equal(("d/.wh.gone", TarEntryType.Regular, 0u, 0L, 5L), (Encoding.UTF8.GetString(whiteout.Name), whiteout.Type, whiteout.Mode, whiteout.Size, whiteout.MTimeSeconds));
        Assert.Equal("sticky/.wh..wh..opq", read.Entries[^1].Name);
    }

    [Fact]
    public void Equal_input_gives_equal_bytes_whatever_the_xattr_order()
    {
        var first = Write(Showcase());
        var reordered = Showcase().Select(e => (new TarWriterEntry
        {
            Type = e.Entry.Type, Name = e.Entry.Name, LinkName = e.Entry.LinkName, Mode = e.Entry.Mode, Uid = e.Entry.Uid, Gid = e.Entry.Gid,
            MTimeSeconds = e.Entry.MTimeSeconds, MTimeNanoseconds = e.Entry.MTimeNanoseconds, Size = e.Entry.Size,
            DevMajor = e.Entry.DevMajor, DevMinor = e.Entry.DevMinor, Xattrs = e.Entry.Xattrs.Reverse().ToList(),
        }, e.Content));
        Assert.Equal(first, Write(reordered));
        Assert.Equal(first, Write(Showcase()));
    }

    [Fact]
    public void Plain_entries_are_pure_ustar()
    {
        var entries = new List<(TarWriterEntry, byte[]?)>
        {
            (new TarWriterEntry { Type = TarEntryType.Directory, Name = B("etc"), Mode = 0x1ed }, null),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = B("etc/motd"), Mode = 0x1a4, Size = 3, Uid = 2097151, MTimeSeconds = 8589934591 }, B("hi\n")),
            (new TarWriterEntry { Type = TarEntryType.Symlink, Name = B("etc/l"), LinkName = B(new string('x', 100)), Mode = 0x1ff }, null),
            (new TarWriterEntry { Type = TarEntryType.Regular, Name = B(new string('p', 155) + "/" + new string('n', 100)), Mode = 0x1a4 }, null),
        };
        var tar = Write(entries);
        Assert.Equal(512 + (512 + 512) + 512 + 512 + 1024, tar.Length); // no PAX header anywhere
        Assert.All(TarReadAll.Read(tar).Entries, e => Assert.Empty(e.Entry.PaxRecords));
        var motd = tar.AsSpan(512, 512);
        Assert.Equal("ustar\0" + "00", Encoding.ASCII.GetString(motd.Slice(257, 8)));
        Assert.Equal(new byte[64], motd.Slice(265, 64).ToArray()); // empty uname and gname
        Assert.Equal("0000644\0", Encoding.ASCII.GetString(motd.Slice(100, 8)));
        Assert.Equal("7777777\0", Encoding.ASCII.GetString(motd.Slice(108, 8)));
        Assert.Equal("00000000003\0", Encoding.ASCII.GetString(motd.Slice(124, 12)));
        Assert.Equal("77777777777\0", Encoding.ASCII.GetString(motd.Slice(136, 12)));
        Assert.Matches("^[0-7]{6}\0 $", Encoding.ASCII.GetString(motd.Slice(148, 8)));
        Assert.Equal((byte)'0', motd[156]);
        Assert.Equal(new byte[1024], tar[^1024..]);
        // The 256-byte name went into prefix + name.
        var longHeader = tar.AsSpan(512 * 4, 512);
        Assert.Equal(new string('p', 155), Encoding.ASCII.GetString(longHeader.Slice(345, 155)));
        Assert.Equal(new string('n', 100), Encoding.ASCII.GetString(longHeader[..100]));
    }

    public static TheoryData<string, string> PaxCases() => new()
    {
        { "name-101", "path=" + new string('n', 101) },
        { "name-unsplittable", "path=" + new string('p', 156) + "/n" },
        { "name-utf8", "path=dir/ünï" },
        { "name-not-utf8", "path=raw\\xff" }, // raw bytes, as Go writes them (GNU tar accepts hdrcharset only in global headers)
        { "link-101", "linkpath=" + new string('l', 101) },
        { "uid-2097152", "uid=2097152" },
        { "gid-4294967295", "gid=4294967295" },
        { "mtime-8589934592", "mtime=8589934592" },
        { "mtime-negative", "mtime=-1" },
        { "mtime-nanoseconds", "mtime=1.000000001" },
        { "mtime-negative-fraction", "mtime=-0.5" },
        { "xattrs", "SCHILY.xattr.a=1|SCHILY.xattr.b=2" },
        { "everything-sorted", "SCHILY.xattr.user.x=v|gid=3000000|mtime=1.5|path=" + new string('z', 120) + "|uid=3000000" },
    };

    [Theory]
    [MemberData(nameof(PaxCases))]
    public void Pax_records_only_for_what_ustar_cannot_hold(string @case, string expectedRecords)
    {
        var entry = @case switch
        {
            "name-101" => new TarWriterEntry { Type = TarEntryType.Regular, Name = B(new string('n', 101)) },
            "name-unsplittable" => new TarWriterEntry { Type = TarEntryType.Regular, Name = B(new string('p', 156) + "/n") },
            "name-utf8" => new TarWriterEntry { Type = TarEntryType.Regular, Name = B("dir/ünï") },
            "name-not-utf8" => new TarWriterEntry { Type = TarEntryType.Regular, Name = [.. "raw"u8, 0xff] },
            "link-101" => new TarWriterEntry { Type = TarEntryType.Symlink, Name = B("l"), LinkName = B(new string('l', 101)) },
            "uid-2097152" => new TarWriterEntry { Type = TarEntryType.Regular, Name = B("f"), Uid = 2097152 },
            "gid-4294967295" => new TarWriterEntry { Type = TarEntryType.Regular, Name = B("f"), Gid = uint.MaxValue },
            "mtime-8589934592" => new TarWriterEntry { Type = TarEntryType.Regular, Name = B("f"), MTimeSeconds = 8589934592 },
            "mtime-negative" => new TarWriterEntry { Type = TarEntryType.Regular, Name = B("f"), MTimeSeconds = -1 },
            "mtime-nanoseconds" => new TarWriterEntry { Type = TarEntryType.Regular, Name = B("f"), MTimeSeconds = 1, MTimeNanoseconds = 1 },
            "mtime-negative-fraction" => new TarWriterEntry { Type = TarEntryType.Regular, Name = B("f"), MTimeSeconds = -1, MTimeNanoseconds = 500_000_000 },
            "xattrs" => new TarWriterEntry { Type = TarEntryType.Regular, Name = B("f"), Xattrs = [new("b", B("2")), new("a", B("1"))] },
            "everything-sorted" => new TarWriterEntry
            {
                Type = TarEntryType.Regular, Name = B(new string('z', 120)), Uid = 3_000_000, Gid = 3_000_000, MTimeSeconds = 1, MTimeNanoseconds = 500_000_000,
                Xattrs = [new("user.x", B("v"))],
            },
            _ => throw new ArgumentException(@case),
        };
        var tar = Write([(entry, null)]);
        var read = Assert.Single(TarReadAll.Read(tar).Entries).Entry;
        var records = string.Join('|', read.PaxRecords.Select(r => r.Key + "=" + Printable(r.Value)));
        Assert.Equal(expectedRecords, records);
        Assert.Equal((byte)'x', tar[156]);
        // The PAX header name is fixed ("PaxHeaders.0"), so the bytes never depend on a pid or a clock.
        Assert.Contains("PaxHeaders.0/", Encoding.ASCII.GetString(tar, 0, 100), StringComparison.Ordinal);
    }

    private static string Printable(byte[] value) =>
        string.Concat(value.Select(b => b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}")).Replace("\\xc3\\xbc", "ü", StringComparison.Ordinal).Replace("\\xc3\\xaf", "ï", StringComparison.Ordinal);

    [Fact]
    public void File_of_8_GiB_or_more_gets_a_pax_size()
    {
        const long size = (1L << 33) + 1; // one byte past what 11 octal digits hold
        var capture = new HeadTailStream();
        using (var writer = new TarWriter(capture))
        {
            writer.WriteEntry(new TarWriterEntry { Type = TarEntryType.Regular, Name = B("huge"), Size = size }, new ZeroStream(size));
            writer.Finish();
        }
        using var reader = new TarReader(capture.Replay(), new TarReaderOptions { MaxEntrySize = 1L << 34 });
        var entry = reader.Next()!;
        Assert.Equal(size, entry.Size);
        Assert.Equal("size=8589934593", string.Join('|', entry.PaxRecords.Select(r => r.Key + "=" + Encoding.ASCII.GetString(r.Value))));
        Assert.Null(reader.Next());
        Assert.Equal(capture.Length, reader.Position);
        Assert.Equal(511 + 1024, reader.Trailer.Length);
    }

    [Fact]
    public void Invalid_entries_are_refused()
    {
        void Refused<TException>(TarWriterEntry entry, byte[]? content = null) where TException : Exception
        {
            using var writer = new TarWriter(new MemoryStream());
            Assert.Throws<TException>(() => writer.WriteEntry(entry, content is null ? null : new MemoryStream(content)));
        }
        Refused<ArgumentException>(new TarWriterEntry { Type = TarEntryType.Regular, Name = [] });
        Refused<ArgumentException>(new TarWriterEntry { Type = TarEntryType.Regular, Name = B("a\0b") });
        Refused<ArgumentException>(new TarWriterEntry { Type = TarEntryType.Regular, Name = B("a"), Mode = 0x1000 });
        Refused<ArgumentException>(new TarWriterEntry { Type = TarEntryType.Regular, Name = B("a"), Uid = -1 });
        Refused<ArgumentException>(new TarWriterEntry { Type = TarEntryType.Regular, Name = B("a"), Gid = 1L << 32 });
        Refused<ArgumentException>(new TarWriterEntry { Type = TarEntryType.Regular, Name = B("a"), MTimeNanoseconds = 1_000_000_000 });
        Refused<ArgumentException>(new TarWriterEntry { Type = TarEntryType.Regular, Name = B("a"), DevMajor = 1 });
        Refused<ArgumentException>(new TarWriterEntry { Type = TarEntryType.CharDevice, Name = B("a"), DevMinor = 0x200000 });
        Refused<ArgumentException>(new TarWriterEntry { Type = TarEntryType.Directory, Name = B("a"), Size = 1 }, [1]);
        Refused<ArgumentException>(new TarWriterEntry { Type = TarEntryType.Regular, Name = B("a"), Size = 1 });
        Refused<ArgumentException>(new TarWriterEntry { Type = TarEntryType.Symlink, Name = B("a") });
        Refused<ArgumentException>(new TarWriterEntry { Type = TarEntryType.Regular, Name = B("a"), LinkName = B("t") });
        Refused<ArgumentException>(new TarWriterEntry { Type = TarEntryType.Regular, Name = B("a"), Xattrs = [new("user.a=b", [])] });
        Refused<ArgumentException>(new TarWriterEntry { Type = TarEntryType.Regular, Name = B("a"), Xattrs = [new("user.a", []), new("user.a", [1])] });
        Refused<ArgumentException>(new TarWriterEntry { Type = (TarEntryType)42, Name = B("a") });
        // The content changed under the writer: shorter or longer than the size it announced.
        Refused<IOException>(new TarWriterEntry { Type = TarEntryType.Regular, Name = B("a"), Size = 10 }, new byte[5]);
        Refused<IOException>(new TarWriterEntry { Type = TarEntryType.Regular, Name = B("a"), Size = 10 }, new byte[11]);

        using var w = new TarWriter(new MemoryStream());
        Assert.Throws<ArgumentException>(() => w.WriteWhiteout("d/.wh.x"u8));
        Assert.Throws<ArgumentException>(() => w.WriteWhiteout("/"u8));
        Assert.Throws<ArgumentException>(() => w.WriteWhiteout("d/.."u8));
        w.Finish();
        Assert.Throws<InvalidOperationException>(() => w.WriteEntry(new TarWriterEntry { Type = TarEntryType.Fifo, Name = B("late") }));
        Assert.Throws<InvalidOperationException>(() => w.Finish());
    }

    [Fact]
    public void Dispose_without_Finish_leaves_no_end_marker()
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, leaveOpen: true))
            writer.WriteEntry(new TarWriterEntry { Type = TarEntryType.Regular, Name = B("a"), Size = 1 }, new MemoryStream([7]));
        Assert.Equal(1024, output.Length); // header + padded data, and nothing that says "complete"
    }

    /// <summary>Keeps the first and last 64 KiB of what is written (the middle is known to be zeros).</summary>
    private sealed class HeadTailStream : Stream
    {
        private const int Keep = 64 * 1024;
        private readonly MemoryStream _head = new();
        private readonly byte[] _ring = new byte[Keep];
        private long _length;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var toHead = (int)Math.Min(buffer.Length, Math.Max(0, Keep - _head.Length));
            _head.Write(buffer[..toHead]);
            _length += toHead;
            // The rest goes into a ring holding the last Keep bytes, indexed by stream offset.
            var rest = buffer[toHead..];
            if (rest.Length > Keep)
            {
                _length += rest.Length - Keep;
                rest = rest[^Keep..];
            }
            while (!rest.IsEmpty)
            {
                var at = (int)(_length % Keep);
                var n = Math.Min(rest.Length, Keep - at);
                rest[..n].CopyTo(_ring.AsSpan(at));
                rest = rest[n..];
                _length += n;
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public Stream Replay()
        {
            var tailLength = (int)Math.Min(Keep, _length - _head.Length);
            var tail = new byte[tailLength];
            for (var i = 0; i < tailLength; i++)
                tail[i] = _ring[(_length - tailLength + i) % Keep];
            return new ReplayStream(_head.ToArray(), _length - _head.Length - tailLength, tail);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>Head bytes, then that many zeros, then tail bytes.</summary>
    private sealed class ReplayStream(byte[] head, long zeros, byte[] tail) : Stream
    {
        private long _position;

        public override int Read(Span<byte> buffer)
        {
            var total = head.Length + zeros + tail.Length;
            var n = (int)Math.Min(buffer.Length, total - _position);
            for (var done = 0; done < n;)
            {
                var p = _position + done;
                int chunk;
                if (p < head.Length)
                {
                    chunk = (int)Math.Min(n - done, head.Length - p);
                    head.AsSpan((int)p, chunk).CopyTo(buffer[done..]);
                }
                else if (p < head.Length + zeros)
                {
                    chunk = (int)Math.Min(n - done, head.Length + zeros - p);
                    buffer.Slice(done, chunk).Clear();
                }
                else
                {
                    chunk = n - done;
                    tail.AsSpan((int)(p - head.Length - zeros), chunk).CopyTo(buffer[done..]);
                }
                done += chunk;
            }
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class ZeroStream(long length) : Stream
    {
        private long _position;

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - _position);
            buffer[..n].Clear();
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
