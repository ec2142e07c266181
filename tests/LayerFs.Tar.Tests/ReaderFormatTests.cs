using System.Text;
using Xunit;

namespace LayerFs.Tar.Tests;

/// <summary>
/// Unusual but valid archives (built byte by byte) that real images contain or that Go accepts:
/// each must read with the right fields and still reassemble byte for byte.
/// </summary>
public sealed class ReaderFormatTests
{
    private static readonly byte[] Hello = "hello world\n"u8.ToArray();

    /// <summary>Reads, checks the reassembly equals the input, and returns the entries.</summary>
    private static ReadResult ReadExact(byte[] tar, TarReaderOptions? options = null)
    {
        var result = TarReadAll.Read(tar, options);
        Assert.Equal(TarReadAll.Sha256(tar), result.ReassemblySha256);
        Assert.Equal(tar.Length, result.ReassemblyLength);
        return result;
    }

    [Fact]
    public void Missing_end_of_archive_marker_is_a_complete_archive()
    {
        var tar = new RawTar().File("a", Hello).ToArray();
        var result = ReadExact(tar);
        Assert.Equal("a", Assert.Single(result.Entries).Name);
        Assert.Equal(new byte[500], result.Trailer); // the last entry's padding
    }

    [Fact]
    public void Missing_padding_after_the_last_entry_is_accepted()
    {
        // umoci#436 wrote layers that end right after the last file's data.
        var tar = new RawTar().File("a", new byte[512]).File("b", Hello).ToArray()[..(1536 + Hello.Length)];
        var result = ReadExact(tar);
        Assert.Equal(["a", "b"], result.Entries.Select(e => e.Name));
        Assert.Equal(Hello, result.Single("b").Data);
        Assert.Empty(result.Trailer);
    }

    [Fact]
    public void A_single_zero_block_then_the_end_is_accepted()
    {
        var tar = new RawTar().File("a", Hello).Bytes(new byte[512]).ToArray();
        var result = ReadExact(tar);
        Assert.Single(result.Entries);
        Assert.Equal(500 + 512, result.Trailer.Length);
    }

    [Fact]
    public void Bytes_after_the_end_of_archive_are_kept_in_the_trailer()
    {
        // GNU tar pads the archive to a 10 KiB record; some tools append junk.
        var tar = new RawTar().File("a", Hello).End().Bytes(new byte[10240 - 2048]).Bytes("junk"u8).ToArray();
        var result = ReadExact(tar);
        Assert.Equal(500 + 1024 + 8192 + 4, result.Trailer.Length);
        Assert.Equal("junk"u8.ToArray(), result.Trailer[^4..]);
    }

    [Fact]
    public void Empty_stream_and_bare_marker_hold_no_entries()
    {
        Assert.Empty(ReadExact([]).Entries);
        var marker = ReadExact(new byte[1024]);
        Assert.Empty(marker.Entries);
        Assert.Equal(new byte[1024], marker.Trailer);
    }

    [Fact]
    public void Signed_checksum_is_accepted()
    {
        var tar = new RawTar().File("é-unsigned", Hello, h => h.SignedChecksum = true).End().ToArray();
        Assert.Equal("é-unsigned", Assert.Single(ReadExact(tar).Entries).Name);
    }

    [Fact]
    public void Octal_fields_padded_with_spaces_and_nuls()
    {
        var tar = new RawTar().File("a", Hello, h =>
        {
            h.Mode = "  644 \0";
            h.Uid = "    1750";  // 1000, no terminator at all
            h.Gid = "1750 ";
            h.Size = "         14";
            h.MTime = "\0\0 1234 \0\0";
        }).End().ToArray();
        var e = Assert.Single(ReadExact(tar).Entries).Entry;
        Assert.Equal(0x1a4u, e.Mode);
        Assert.Equal(1000, e.Uid);
        Assert.Equal(1000, e.Gid);
        Assert.Equal(12, e.Size);
        Assert.Equal(668, e.MTimeSeconds);
    }

    [Fact]
    public void Octal_field_with_garbage_after_its_nul_is_accepted()
    {
        // Go cuts a numeric field at its first NUL; old writers left bytes behind it.
        var tar = new RawTar().File("a", Hello, h => h.Patch = b => "755\0xy\0\0"u8.CopyTo(b.AsSpan(100))).End().ToArray();
        Assert.Equal(0x1edu, Assert.Single(ReadExact(tar).Entries).Entry.Mode);
    }

    [Fact]
    public void Base256_size_and_negative_mtime()
    {
        var tar = new RawTar().File("a", new byte[600], h => h.Patch = b =>
        {
            b.AsSpan(124, 12).Clear();
            b[124] = 0x80;
            b[134] = 0x02;
            b[135] = 0x58; // 600
            b.AsSpan(136, 12).Fill(0xff);
            b[146] = 0xfc;
            b[147] = 0x18; // −1000
        }).End().ToArray();
        var e = Assert.Single(ReadExact(tar).Entries).Entry;
        Assert.Equal(600, e.Size);
        Assert.Equal(-1000, e.MTimeSeconds);
    }

    [Fact]
    public void Base256_uid_beyond_ustar_range()
    {
        var tar = new RawTar().File("a", Hello, h => h.Patch = b =>
        {
            b.AsSpan(108, 8).Clear();
            b[108] = 0x80;
            b[113] = 0x2d;
            b[114] = 0xc6;
            b[115] = 0xc0; // 3000000
        }).End().ToArray();
        Assert.Equal(3_000_000, Assert.Single(ReadExact(tar).Entries).Entry.Uid);
    }

    [Theory]
    [InlineData("-1000000000.5", -1000000001L, 500000000)]
    [InlineData("1700000000.123456789123", 1700000000L, 123456789)]
    [InlineData("-0.5", -1L, 500000000)]
    [InlineData("-1.000000001", -2L, 999999999)]
    [InlineData("5.", 5L, 0)]
    [InlineData("+7", 7L, 0)]
    [InlineData("1700000000.1", 1700000000L, 100000000)]
    [InlineData("-9223372036854775808", long.MinValue, 0)]
    public void Pax_mtime_with_fraction_and_sign(string value, long seconds, int nanoseconds)
    {
        var tar = new RawTar().Pax(("mtime", value)).File("a", Hello).End().ToArray();
        var e = Assert.Single(ReadExact(tar).Entries).Entry;
        Assert.Equal((seconds, nanoseconds), (e.MTimeSeconds, e.MTimeNanoseconds));
    }

    [Fact]
    public void Ustar_prefix_is_joined_with_a_slash()
    {
        var tar = new RawTar().File("name.txt", Hello, h => h.Prefix = "some/long/prefix"u8.ToArray()).End().ToArray();
        Assert.Equal("some/long/prefix/name.txt", Assert.Single(ReadExact(tar).Entries).Name);
    }

    [Fact]
    public void Star_prefix_is_shorter_and_joined()
    {
        var tar = new RawTar().File("n", Hello, h =>
        {
            h.Prefix = "star/dir"u8.ToArray();
            h.Patch = b => "tar\0"u8.CopyTo(b.AsSpan(508));
        }).End().ToArray();
        Assert.Equal("star/dir/n", Assert.Single(ReadExact(tar).Entries).Name);
    }

    [Fact]
    public void Gnu_header_has_no_prefix()
    {
        // GNU keeps atime/ctime where ustar keeps the prefix: those bytes are not a path.
        var tar = new RawTar().File("n", Hello, h =>
        {
            h.Magic = "ustar ";
            h.Version = " \0";
            h.Prefix = "14524770400"u8.ToArray();
        }).End().ToArray();
        Assert.Equal("n", Assert.Single(ReadExact(tar).Entries).Name);
    }

    [Fact]
    public void V7_header_with_a_trailing_slash_is_a_directory_and_its_tail_is_ignored()
    {
        var tar = new RawTar()
            .File("dir/", [], h =>
            {
                h.Magic = "\0\0\0\0\0\0";
                h.Version = "\0\0";
                h.TypeFlag = 0;
                h.DevMajor = "garbage";
                h.Size = "00000000005"; // a v7 directory's size is not data
            })
            .File("file", Hello, h =>
            {
                h.Magic = "\0\0\0\0\0\0";
                h.Version = "\0\0";
                h.TypeFlag = 0;
                h.Prefix = "not/a/prefix"u8.ToArray();
            })
            .End().ToArray();
        var entries = ReadExact(tar).Entries;
        Assert.Equal(TarEntryType.Directory, entries[0].Entry.Type);
        Assert.Equal(0, entries[0].Entry.Size);
        Assert.Equal(0, entries[0].Entry.TypeFlag);
        Assert.Equal(TarEntryType.Regular, entries[1].Entry.Type);
        Assert.Equal("file", entries[1].Name);
        Assert.Equal(Hello, entries[1].Data);
    }

    [Fact]
    public void Gnu_long_name_wins_over_pax_path_which_wins_over_the_header()
    {
        var tar = new RawTar()
            .Pax(("path", "from-pax"), ("linkpath", "link-from-pax"))
            .GnuLong((byte)'L', "from-gnu"u8.ToArray())
            .Entry("from-header", (byte)'2', "link-from-header")
            .Pax(("path", "only-pax"))
            .Entry("header2", (byte)'1', "hl-header", h => h.WithSize(0))
            .GnuLong((byte)'K', Encoding.UTF8.GetBytes(new string('k', 300)))
            .Entry("plain", (byte)'2', "short")
            .End().ToArray();
        var entries = ReadExact(tar).Entries;
        Assert.Equal(("from-gnu", "link-from-pax"), (entries[0].Name, entries[0].LinkName));
        Assert.Equal(("only-pax", "hl-header"), (entries[1].Name, entries[1].LinkName));
        Assert.Equal(("plain", new string('k', 300)), (entries[2].Name, entries[2].LinkName));
    }

    [Fact]
    public void Empty_pax_values_keep_the_header_fields()
    {
        var tar = new RawTar().Pax(("path", ""), ("size", ""), ("uid", "")).File("hdr-name", Hello, h => h.Uid = "0000012").End().ToArray();
        var e = Assert.Single(ReadExact(tar).Entries);
        Assert.Equal("hdr-name", e.Name);
        Assert.Equal(Hello.Length, e.Entry.Size);
        Assert.Equal(10, e.Entry.Uid);
    }

    [Fact]
    public void Pax_records_override_size_and_ids_and_are_all_reported()
    {
        var tar = new RawTar()
            .Pax(("size", "600"), ("uid", "3000000"), ("gid", "4294967295"), ("uname", "ignored"), ("atime", "1.5"), ("comment", "kept"))
            .File("a", new byte[600], h => h.Size = "00000000000")
            .End().ToArray();
        var e = Assert.Single(ReadExact(tar).Entries).Entry;
        Assert.Equal(600, e.Size);
        Assert.Equal(3_000_000, e.Uid);
        Assert.Equal(uint.MaxValue, e.Gid);
        Assert.Equal(["size", "uid", "gid", "uname", "atime", "comment"], e.PaxRecords.Select(r => r.Key));
        Assert.Equal("kept"u8.ToArray(), e.PaxRecords[^1].Value);
    }

    [Fact]
    public void Xattrs_keep_binary_and_empty_values_and_the_last_duplicate_wins()
    {
        var records = new MemoryStream();
        records.Write(RawTar.PaxRecord("SCHILY.xattr.user.b"u8.ToArray(), [0, 1, 0xff, (byte)'\n', (byte)'=']));
        records.Write(RawTar.PaxRecord("SCHILY.xattr.user.empty"u8.ToArray(), []));
        records.Write(RawTar.PaxRecord("SCHILY.xattr.security.capability"u8.ToArray(), [1, 0, 0, 2]));
        records.Write(RawTar.PaxRecord("SCHILY.xattr.user.b"u8.ToArray(), "second"u8.ToArray()));
        var tar = new RawTar().Pax(records.ToArray()).File("a", Hello).End().ToArray();
        var e = Assert.Single(ReadExact(tar).Entries).Entry;
        Assert.Equal(["user.b", "user.empty", "security.capability"], e.Xattrs.Select(x => x.Key));
        Assert.Equal("second"u8.ToArray(), e.Xattrs[0].Value);
        Assert.Empty(e.Xattrs[1].Value);
        Assert.Equal(new byte[] { 1, 0, 0, 2 }, e.Xattrs[2].Value);
    }

    [Fact]
    public void A_second_pax_header_replaces_the_first_as_in_go()
    {
        var tar = new RawTar().Pax(("path", "first"), ("uid", "7")).Pax(("path", "second")).File("hdr", Hello).End().ToArray();
        var e = Assert.Single(ReadExact(tar).Entries);
        Assert.Equal("second", e.Name);
        Assert.Equal(0, e.Entry.Uid);
    }

    [Fact]
    public void Global_records_are_reported_first_but_change_no_field()
    {
        // git archive writes a 'g' header with a comment; Go (and so docker/containerd) ignores globals.
        var tar = new RawTar()
            .Pax(RawTar.PaxRecords(("comment", "c1"), ("uid", "5")), type: (byte)'g', name: "pax_global_header")
            .File("a", Hello)
            .Pax(RawTar.PaxRecords(("comment", "c2")), type: (byte)'g', name: "pax_global_header")
            .Pax(("path", "b-long"))
            .File("b", Hello)
            .End().ToArray();
        var entries = ReadExact(tar).Entries;
        Assert.Equal(0, entries[0].Entry.Uid);
        Assert.Equal(["comment", "uid"], entries[0].Entry.PaxRecords.Select(r => r.Key));
        Assert.Equal("b-long", entries[1].Name);
        Assert.Equal(["comment", "uid", "path"], entries[1].Entry.PaxRecords.Select(r => r.Key));
        Assert.Equal("c2"u8.ToArray(), entries[1].Entry.PaxRecords[0].Value);
        // The global headers are part of the next entry's raw bytes.
        Assert.Equal(512 * 3, entries[0].Entry.RawBefore.Length);
    }

    [Fact]
    public void Header_only_types_have_no_data_whatever_their_size_field_says()
    {
        var tar = new RawTar()
            .Entry("hl", (byte)'1', "a", h => h.WithSize(5000))
            .Entry("d/", (byte)'5', "", h => h.WithSize(1))
            .File("after", Hello)
            .End().ToArray();
        var entries = ReadExact(tar).Entries;
        Assert.Equal([TarEntryType.HardLink, TarEntryType.Directory, TarEntryType.Regular], entries.Select(e => e.Entry.Type));
        Assert.All(entries.Take(2), e => Assert.Equal(0, e.Entry.Size));
        Assert.Equal(Hello, entries[2].Data);
    }

    [Fact]
    public void Every_posix_type_and_its_fields()
    {
        var tar = new RawTar()
            .File("reg7", Hello, h => h.TypeFlag = (byte)'7')
            .Entry("sym", (byte)'2', "target")
            .Entry("chr", (byte)'3', "", h => { h.DevMajor = "0000001"; h.DevMinor = "0000003"; })
            .Entry("blk", (byte)'4', "", h => { h.DevMajor = "0000007"; h.DevMinor = "0000310"; })
            .Entry("fifo", (byte)'6')
            .Entry("dir", (byte)'5', "", h => h.Mode = "0041777")
            .End().ToArray();
        var e = ReadExact(tar).Entries.Select(x => x.Entry).ToList();
        Assert.Equal([TarEntryType.Regular, TarEntryType.Symlink, TarEntryType.CharDevice, TarEntryType.BlockDevice, TarEntryType.Fifo, TarEntryType.Directory], e.Select(x => x.Type));
        Assert.Equal((byte)'7', e[0].TypeFlag);
        Assert.Equal((1, 3), (e[2].DevMajor, e[2].DevMinor));
        Assert.Equal((7, 200), (e[3].DevMajor, e[3].DevMinor));
        Assert.Equal(0x3ffu, e[5].Mode); // file-type bits dropped, sticky kept
        Assert.Equal(1700000000L, e[0].MTimeSeconds);
    }

    [Fact]
    public void Offsets_and_raw_bytes_follow_the_stream()
    {
        var tar = new RawTar().File("a", Hello).Pax(("path", "b")).File("x", new byte[512]).End().ToArray();
        var entries = ReadExact(tar).Entries;
        Assert.Equal(512, entries[0].Entry.DataOffset);
        Assert.Equal(512, entries[0].Entry.RawBefore.Length);
        // b's raw bytes: a's padding, the PAX header and its padded data, b's header.
        Assert.Equal(500 + 512 + 512 + 512, entries[1].Entry.RawBefore.Length);
        Assert.Equal(512 + 12 + 500 + 1536, entries[1].Entry.DataOffset);
        Assert.Equal(tar.AsSpan(1024, 512).ToArray(), entries[1].Entry.RawBefore[500..1012]);
    }
}
