using Xunit;

namespace LayerFs.Tar.Tests;

/// <summary>
/// Broken and hostile archives, built byte by byte. Each must fail with a TarFormatException whose
/// message is one line naming the entry and the problem, never with an unbounded allocation.
/// </summary>
public sealed class HostileInputTests
{
    private static readonly byte[] Hello = "hello world\n"u8.ToArray();

    private static string Fails(byte[] tar, TarReaderOptions? options = null) => TarReadAll.ReadExpectingFailure(tar, options).Message;

    private static void Contains(string message, params string[] parts)
    {
        foreach (var part in parts)
            Assert.Contains(part, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_checksum()
    {
        var tar = new RawTar().File("a.txt", Hello, h => h.ChecksumOverride = "0001234\0").End().ToArray();
        Contains(Fails(tar), "\"a.txt\"", "header at byte 0", "checksum mismatch", "stored 668");
    }

    [Fact]
    public void Checksum_that_is_not_a_number()
    {
        var tar = new RawTar().File("a.txt", Hello, h => h.ChecksumOverride = "12x4567\0").End().ToArray();
        Contains(Fails(tar), "\"a.txt\"", "checksum field \"12x4567\" is not an octal number");
    }

    [Fact]
    public void Random_bytes_are_not_a_tar()
    {
        var junk = new byte[2048];
        new Random(1).NextBytes(junk);
        Contains(Fails(junk), "header at byte 0", "checksum"); // a random checksum field is rarely even octal
    }

    [Fact]
    public void Truncated_header()
    {
        var full = new RawTar().File("a.txt", Hello).File("b.txt", Hello).ToArray();
        Contains(Fails(full[..(1024 + 300)]), "after entry \"a.txt\"", "truncated", "300 bytes into a 512-byte header");
    }

    [Fact]
    public void Truncated_data_while_reading_it()
    {
        var full = new RawTar().File("big.bin", new byte[1000]).End().ToArray();
        Contains(Fails(full[..(512 + 600)]), "\"big.bin\"", "truncated", "600 of the entry's 1000 data bytes");
    }

    [Fact]
    public void Truncated_data_while_skipping_it()
    {
        var full = new RawTar().File("big.bin", new byte[100_000]).End().ToArray();
        var e = Assert.Throws<TarFormatException>(() =>
        {
            using var reader = new TarReader(new MemoryStream(full[..(512 + 70_000)]));
            Assert.NotNull(reader.Next());
            reader.Next(); // skips the unread data and finds it missing
        });
        Contains(e.Message, "\"big.bin\"", "truncated", "70000 of the entry's 100000 data bytes");
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Truncated_padding()
    {
        var full = new RawTar().File("a.txt", Hello).End().ToArray();
        Contains(Fails(full[..(512 + Hello.Length + 200)]), "after entry \"a.txt\"", "truncated", "200 bytes into the 500-byte padding");
    }

    [Fact]
    public void Size_with_non_octal_characters()
    {
        var tar = new RawTar().File("a.txt", Hello, h => h.Size = "0000001x000").End().ToArray();
        Contains(Fails(tar), "\"a.txt\"", "size field \"0000001x000\" is not an octal number");
    }

    [Fact]
    public void Base256_negative_size()
    {
        // 0xff…ff is −1 in GNU base-256.
        var tar = new RawTar().File("neg", [], h => h.Patch = b => b.AsSpan(124, 12).Fill(0xff)).End().ToArray();
        Contains(Fails(tar), "\"neg\"", "negative size (-1)");
    }

    [Fact]
    public void Base256_size_beyond_63_bits()
    {
        var tar = new RawTar().File("huge", [], h => h.Patch = b =>
        {
            b[124] = 0x80;
            b.AsSpan(125, 11).Fill(0xff);
        }).End().ToArray();
        Contains(Fails(tar), "\"huge\"", "size field (base-256) overflows");
    }

    [Fact]
    public void Size_beyond_MaxEntrySize()
    {
        var tar = new RawTar().File("a.bin", new byte[4096]).End().ToArray();
        Contains(Fails(tar, new TarReaderOptions { MaxEntrySize = 1024 }), "\"a.bin\"", "size 4096 exceeds the limit of 1024 bytes");
    }

    [Fact]
    public void Largest_octal_size_is_refused_before_reading_any_data()
    {
        // 8 GiB declared, nothing behind it: the limit must trip on the header alone.
        var tar = new RawTar().Header(new RawHeader { Name = "a.bin"u8.ToArray(), Size = "77777777777" }).ToArray();
        Contains(Fails(tar, new TarReaderOptions { MaxEntrySize = 1L << 30 }), "\"a.bin\"", "exceeds the limit");
    }

    [Fact]
    public void Pax_record_length_larger_than_the_header()
    {
        var tar = new RawTar().Pax("99 path=x\n"u8.ToArray()).File("a", Hello).End().ToArray();
        Contains(Fails(tar), "\"PaxHeaders.0/file\"", "PAX extended header", "length 99 runs past the end of the 10-byte header");
    }

    [Fact]
    public void Pax_record_length_not_matching_the_record()
    {
        var tar = new RawTar().Pax("11 path=abcd\n"u8.ToArray()).File("a", Hello).End().ToArray();
        Contains(Fails(tar), "PAX extended header", "length 11 does not end at a newline");
    }

    [Fact]
    public void Pax_record_without_equals()
    {
        var tar = new RawTar().Pax("10 pathxy\n"u8.ToArray()).File("a", Hello).End().ToArray();
        Contains(Fails(tar), "PAX extended header", "no '='");
    }

    [Fact]
    public void Pax_record_with_a_non_numeric_length()
    {
        var tar = new RawTar().Pax("1x path=a\n"u8.ToArray()).File("a", Hello).End().ToArray();
        Contains(Fails(tar), "PAX extended header", "is not a number");
    }

    [Fact]
    public void Pax_record_with_no_length_at_all()
    {
        var tar = new RawTar().Pax("path=a\n"u8.ToArray()).File("a", Hello).End().ToArray();
        Contains(Fails(tar), "PAX extended header", "no length");
    }

    [Fact]
    public void Pax_record_with_an_empty_key()
    {
        var tar = new RawTar().Pax("9 =value\n"u8.ToArray()).File("a", Hello).End().ToArray();
        Contains(Fails(tar), "PAX extended header", "empty key");
    }

    [Fact]
    public void Pax_key_that_is_not_utf8()
    {
        var tar = new RawTar().Pax(RawTar.PaxRecord([0xff, 0xfe], "v"u8.ToArray())).File("a", Hello).End().ToArray();
        Contains(Fails(tar), "PAX extended header", "is not UTF-8");
    }

    [Fact]
    public void Pax_header_declaring_a_huge_size_is_refused_before_reading_it()
    {
        // A PAX header that "never ends": 8 GiB declared.
        var tar = new RawTar().Header(new RawHeader { Name = "PaxHeaders.0/a"u8.ToArray(), TypeFlag = (byte)'x', Size = "77777777777" }).ToArray();
        Contains(Fails(tar), "\"PaxHeaders.0/a\"", "PAX extended header of 8589934591 bytes exceeds the limit of 1048576 bytes");
    }

    [Fact]
    public void Pax_header_over_a_configured_limit()
    {
        var records = RawTar.PaxRecords(("comment", new string('c', 5000)));
        var tar = new RawTar().Pax(records).File("a", Hello).End().ToArray();
        Contains(Fails(tar, new TarReaderOptions { MaxExtensionHeaderSize = 4096 }), "PAX extended header of 5014 bytes exceeds the limit of 4096 bytes");
    }

    [Fact]
    public void Pax_header_whose_data_is_cut_short()
    {
        var tar = new RawTar().Header(new RawHeader { Name = "PaxHeaders.0/a"u8.ToArray(), TypeFlag = (byte)'x' }.WithSize(100)).Bytes(new byte[50]).ToArray();
        Contains(Fails(tar), "\"PaxHeaders.0/a\"", "truncated", "after 50 of the PAX extended header's 100 bytes");
    }

    [Fact]
    public void Gnu_long_name_of_10_MiB()
    {
        var name = Enumerable.Repeat((byte)'a', 10 << 20).ToArray();
        var tar = new RawTar().GnuLong((byte)'L', name).File("short", Hello).End().ToArray();
        Contains(Fails(tar), "\"././@LongLink\"", "GNU long name of 10485761 bytes exceeds the limit of 1048576 bytes");
    }

    [Fact]
    public void Nul_inside_a_pax_path()
    {
        var tar = new RawTar().Pax(RawTar.PaxRecord("path"u8.ToArray(), "a\0b"u8.ToArray())).File("a", Hello).End().ToArray();
        Contains(Fails(tar), "PAX extended header", "PAX record path contains a NUL byte");
    }

    [Fact]
    public void Nul_inside_a_pax_linkpath()
    {
        var tar = new RawTar().Pax(RawTar.PaxRecord("linkpath"u8.ToArray(), "t\0"u8.ToArray())).Entry("l", (byte)'2', "x").End().ToArray();
        Contains(Fails(tar), "PAX record linkpath contains a NUL byte");
    }

    [Theory]
    [InlineData('Z', "unsupported entry type 'Z' (vendor extension)")]
    [InlineData('S', "unsupported entry type 'S' (GNU sparse file)")]
    [InlineData('V', "unsupported entry type 'V' (volume label)")]
    [InlineData('M', "unsupported entry type 'M' (GNU multi-volume continuation)")]
    [InlineData('N', "unsupported entry type 'N' (GNU old-style long name)")]
    [InlineData('D', "unsupported entry type 'D' (GNU incremental directory dump)")]
    [InlineData('X', "unsupported entry type 'X' (Solaris extended header)")]
    [InlineData('q', "unsupported entry type 'q' (unknown type)")]
    [InlineData('8', "unsupported entry type '8' (unknown type)")]
    [InlineData('\x01', "unsupported entry type \\x01 (unknown type)")]
    public void Unsupported_typeflags(char flag, string expected)
    {
        var tar = new RawTar().Entry("odd", (byte)flag).End().ToArray();
        Contains(Fails(tar), "\"odd\"", expected);
    }

    [Fact]
    public void Pax_sparse_file_is_refused()
    {
        var tar = new RawTar().Pax(("GNU.sparse.major", "1"), ("GNU.sparse.minor", "0")).File("sparse", Hello).End().ToArray();
        Contains(Fails(tar), "\"sparse\"", "unsupported entry type: GNU sparse file (PAX record GNU.sparse.major)");
    }

    [Theory]
    [InlineData("size", "-5", "negative size (-5)")]
    [InlineData("size", "12abc", "PAX record size=\"12abc\" is not a decimal number")]
    [InlineData("size", "99999999999999999999", "is not a decimal number")]
    [InlineData("uid", "-1", "uid -1 is outside 0..4294967295")]
    [InlineData("uid", "5000000000", "uid 5000000000 is outside 0..4294967295")]
    [InlineData("gid", "x", "PAX record gid=\"x\" is not a decimal number")]
    [InlineData("mtime", "12a", "PAX record mtime=\"12a\" is not a time")]
    [InlineData("mtime", "1.2.3", "is not a time")]
    [InlineData("mtime", ".5", "is not a time")]
    public void Bad_pax_values(string key, string value, string expected)
    {
        var tar = new RawTar().Pax((key, value)).File("a.txt", Hello).End().ToArray();
        Contains(Fails(tar), "\"a.txt\"", expected);
    }

    [Fact]
    public void Xattr_record_without_a_name()
    {
        var tar = new RawTar().Pax(("SCHILY.xattr.", "v")).File("a.txt", Hello).End().ToArray();
        Contains(Fails(tar), "\"a.txt\"", "SCHILY.xattr. names no attribute");
    }

    [Fact]
    public void Zero_block_followed_by_a_header()
    {
        var tar = new RawTar().File("a", Hello).Bytes(new byte[512]).File("b", Hello).End().ToArray();
        Contains(Fails(tar), "after entry \"a\"", "a single zero block is followed by a header");
    }

    [Fact]
    public void Zero_block_followed_by_part_of_a_block()
    {
        var tar = new RawTar().File("a", Hello).Bytes(new byte[512 + 100]).ToArray();
        Contains(Fails(tar), "truncated", "100 bytes into the second end-of-archive block");
    }

    [Fact]
    public void Unbounded_junk_after_the_end_of_archive()
    {
        var tar = new RawTar().File("a", Hello).End().Bytes(new byte[8192]).ToArray();
        Contains(Fails(tar, new TarReaderOptions { MaxExtensionHeaderSize = 4096 }), "after entry \"a\"", "more than 4096 bytes follow the end of the last entry");
    }

    [Fact]
    public void Extension_header_not_followed_by_an_entry()
    {
        var tar = new RawTar().Pax(("path", "lost")).ToArray();
        Contains(Fails(tar), "truncated: the stream ends after the extension header at byte 0, before its entry");
        var withMarker = new RawTar().File("a", Hello).GnuLong((byte)'L', "lost"u8.ToArray()).End().ToArray();
        Contains(Fails(withMarker), "after entry \"a\"", "the extension header at byte 1024 is followed by the end-of-archive marker");
    }

    [Fact]
    public void Endless_chain_of_extension_headers()
    {
        var tar = new RawTar();
        for (var i = 0; i < 100; i++)
            tar.Pax(("comment", "again"));
        tar.File("a", Hello).End();
        Contains(Fails(tar.ToArray(), new TarReaderOptions { MaxExtensionHeaderSize = 1024 }), "the extension headers before one entry exceed 8192 bytes");
    }

    [Fact]
    public void Hostile_name_is_escaped_onto_one_line()
    {
        var name = "evil\nname\r\u2028\"q\"\\"u8.ToArray();
        var tar = new RawTar().File("x", Hello, h =>
        {
            h.Name = [.. name, 0xff];
            h.Size = "zz";
        }).End().ToArray();
        Contains(Fails(tar), "\"evil\\x0aname\\x0d\\xe2\\x80\\xa8\\\"q\\\"\\\\\\xff\"");
    }

    [Fact]
    public void Long_hostile_name_is_shortened_in_the_message()
    {
        var name = Enumerable.Repeat((byte)'n', 5000).ToArray();
        var tar = new RawTar().GnuLong((byte)'L', name).File("x", Hello, h => h.Uid = "9x").End().ToArray();
        var message = Fails(tar);
        Assert.Contains("... (5000 bytes)", message, StringComparison.Ordinal);
        Assert.True(message.Length < 400, message);
    }

    [Fact]
    public void Base256_uid_beyond_32_bits()
    {
        var tar = new RawTar().File("a", Hello, h => h.Patch = b =>
        {
            b.AsSpan(108, 8).Clear();
            b[108] = 0x80;
            b[111] = 0x01; // 2^32
        }).End().ToArray();
        Contains(Fails(tar), "uid 4294967296 is outside");
    }

    [Fact]
    public void Base256_negative_uid()
    {
        var tar = new RawTar().File("a", Hello, h => h.Patch = b => b.AsSpan(108, 8).Fill(0xff)).End().ToArray();
        Contains(Fails(tar), "uid -1 is outside");
    }

    [Fact]
    public void Mode_that_is_not_a_number()
    {
        var tar = new RawTar().File("a", Hello, h => h.Mode = "rwxr-x").End().ToArray();
        Contains(Fails(tar), "\"a\"", "mode field \"rwxr-x\" is not an octal number");
    }

    [Fact]
    public void A_failed_reader_stays_failed()
    {
        var tar = new RawTar().File("a", Hello, h => h.ChecksumOverride = "0000001\0").End().ToArray();
        using var reader = new TarReader(new MemoryStream(tar));
        var first = Assert.Throws<TarFormatException>(() => reader.Next());
        var second = Assert.Throws<TarFormatException>(() => reader.Next());
        Assert.Equal(first.Message, second.Message);
    }

    [Fact]
    public void Every_hostile_message_is_one_line()
    {
        // A message is built from archive bytes in many places; sweep single-byte corruptions of a
        // small PAX archive and check every failure message stays one line.
        var good = new RawTar().Pax(("path", "dir/näme"), ("SCHILY.xattr.user.a", "v")).File("x", Hello).Entry("l", (byte)'2', "target").End().ToArray();
        var failures = 0;
        for (var i = 0; i < 2048; i++)
        {
            foreach (var value in new byte[] { 0, (byte)'\n', 0xff, (byte)'9' })
            {
                var bad = (byte[])good.Clone();
                bad[i] = value;
                try
                {
                    TarReadAll.Read(bad);
                }
                catch (TarFormatException e)
                {
                    failures++;
                    Assert.DoesNotContain('\n', e.Message);
                    Assert.DoesNotContain('\r', e.Message);
                    Assert.StartsWith("tar ", e.Message, StringComparison.Ordinal);
                }
            }
        }
        Assert.True(failures > 1000, $"only {failures} corruptions were detected");
    }
}
