using System.Text;

namespace LayerFs.Tar.Tests;

/// <summary>
/// A header block built field by field, so tests can write exactly the bytes a broken or unusual
/// archive holds. Text fields are written as given (ASCII) and NUL-padded; <see cref="Patch"/>
/// edits the raw block before the checksum is computed.
/// </summary>
internal sealed class RawHeader
{
    public byte[] Name { get; set; } = "file"u8.ToArray();
    public string Mode { get; set; } = "0000644";
    public string Uid { get; set; } = "0000000";
    public string Gid { get; set; } = "0000000";
    public string Size { get; set; } = "00000000000";
    public string MTime { get; set; } = "14524770400";
    public byte TypeFlag { get; set; } = (byte)'0';
    public byte[] LinkName { get; set; } = [];
    public string Magic { get; set; } = "ustar\0";
    public string Version { get; set; } = "00";
    public string DevMajor { get; set; } = "0000000";
    public string DevMinor { get; set; } = "0000000";
    public byte[] Prefix { get; set; } = [];
    public Action<byte[]>? Patch { get; set; }

    /// <summary>Sum bytes as signed chars, as some historic tars did.</summary>
    public bool SignedChecksum { get; set; }

    /// <summary>Write this instead of the correct checksum.</summary>
    public string? ChecksumOverride { get; set; }

    public static string Octal(long value, int digits) => Convert.ToString(value, 8).PadLeft(digits, '0');

    public RawHeader WithSize(long size)
    {
        Size = Octal(size, 11);
        return this;
    }

    public byte[] Build()
    {
        var b = new byte[512];
        Name.CopyTo(b, 0);
        Put(b, 100, Mode);
        Put(b, 108, Uid);
        Put(b, 116, Gid);
        Put(b, 124, Size);
        Put(b, 136, MTime);
        b[156] = TypeFlag;
        LinkName.CopyTo(b, 157);
        Put(b, 257, Magic);
        Put(b, 263, Version);
        Put(b, 329, DevMajor);
        Put(b, 337, DevMinor);
        Prefix.CopyTo(b, 345);
        Patch?.Invoke(b);
        for (var i = 148; i < 156; i++)
            b[i] = (byte)' ';
        long sum = 0;
        foreach (var x in b)
            sum += SignedChecksum ? (sbyte)x : x;
        Put(b, 148, ChecksumOverride ?? Octal(sum, 6) + "\0 ");
        return b;
    }

    private static void Put(byte[] block, int offset, string text) => Encoding.Latin1.GetBytes(text).CopyTo(block, offset);
}

/// <summary>Appends headers, data, padding and end markers into one tar byte stream.</summary>
internal sealed class RawTar
{
    private readonly List<byte> _bytes = [];

    public RawTar Header(RawHeader header)
    {
        _bytes.AddRange(header.Build());
        return this;
    }

    /// <summary>Raw bytes, not padded.</summary>
    public RawTar Bytes(ReadOnlySpan<byte> bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    /// <summary>Data followed by zero padding to the next block boundary.</summary>
    public RawTar Data(ReadOnlySpan<byte> data)
    {
        _bytes.AddRange(data);
        _bytes.AddRange(new byte[(512 - data.Length % 512) % 512]);
        return this;
    }

    /// <summary>A regular file: header and padded data.</summary>
    public RawTar File(string name, byte[] data, Action<RawHeader>? adjust = null)
    {
        var header = new RawHeader { Name = Encoding.UTF8.GetBytes(name) }.WithSize(data.Length);
        adjust?.Invoke(header);
        return Header(header).Data(data);
    }

    public RawTar Entry(string name, byte type, string link = "", Action<RawHeader>? adjust = null)
    {
        var header = new RawHeader { Name = Encoding.UTF8.GetBytes(name), TypeFlag = type, LinkName = Encoding.UTF8.GetBytes(link) };
        adjust?.Invoke(header);
        return Header(header);
    }

    /// <summary>A PAX header ('x' or 'g') holding <paramref name="records"/>, already encoded.</summary>
    public RawTar Pax(byte[] records, byte type = (byte)'x', string name = "PaxHeaders.0/file")
    {
        Header(new RawHeader { Name = Encoding.UTF8.GetBytes(name), TypeFlag = type }.WithSize(records.Length));
        return Data(records);
    }

    public RawTar Pax(params (string Key, string Value)[] records) => Pax(PaxRecords(records));

    /// <summary>A GNU 'L' or 'K' header with its NUL-terminated name.</summary>
    public RawTar GnuLong(byte type, byte[] name)
    {
        byte[] data = [.. name, 0];
        Header(new RawHeader { Name = "././@LongLink"u8.ToArray(), TypeFlag = type, Magic = "ustar ", Version = " \0" }.WithSize(data.Length));
        return Data(data);
    }

    public RawTar End()
    {
        _bytes.AddRange(new byte[1024]);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    /// <summary>Correctly length-prefixed PAX records.</summary>
    public static byte[] PaxRecords(params (string Key, string Value)[] records)
    {
        var output = new MemoryStream();
        foreach (var (key, value) in records)
            output.Write(PaxRecord(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value)));
        return output.ToArray();
    }

    public static byte[] PaxRecord(byte[] key, byte[] value)
    {
        var body = key.Length + value.Length + 3;
        var length = body + body.ToString().Length;
        if (length.ToString().Length != body.ToString().Length)
            length = body + length.ToString().Length;
        return [.. Encoding.ASCII.GetBytes(length + " "), .. key, (byte)'=', .. value, (byte)'\n'];
    }
}
