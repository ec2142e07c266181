// TEMPORARY: a minimal reader so the store can be tested before LayerFs.Tar's reader lands.
using System.Text;
namespace LayerFs.Tar;
public sealed class TarReader : IDisposable
{
    private readonly Stream _s;
    private long _pos;
    private long _dataLeft;
    private long _padLeft;
    private readonly byte[] _block = new byte[512];
    public TarReader(Stream stream, TarReaderOptions? options = null, bool leaveOpen = false) { _s = stream; _ = options; _ = leaveOpen; Data = Stream.Null; }
    public Stream Data { get; private set; }
    public byte[] Trailer { get; private set; } = [];
    public long Position => _pos;
    private bool ReadBlock(byte[] b, MemoryStream raw)
    {
        var n = _s.ReadAtLeast(b, 512, throwOnEndOfStream: false);
        _pos += n;
        raw.Write(b, 0, n);
        if (n == 0) return false;
        if (n < 512) throw new TarFormatException("truncated header");
        return true;
    }
    private void Skip(long n, MemoryStream? raw)
    {
        var buf = new byte[65536];
        while (n > 0)
        {
            var r = _s.Read(buf, 0, (int)Math.Min(buf.Length, n));
            if (r <= 0) throw new TarFormatException("truncated");
            raw?.Write(buf, 0, r);
            _pos += r; n -= r;
        }
    }
    private static long Num(ReadOnlySpan<byte> f)
    {
        if ((f[0] & 0x80) != 0) { long v = f[0] & 0x3f; if ((f[0] & 0x40) != 0) throw new TarFormatException("negative number"); for (var i = 1; i < f.Length; i++) v = (v << 8) | f[i]; return v; }
        long r = 0; foreach (var c in f) { if (c == 0 || c == ' ') { if (r != 0) break; continue; } if (c < '0' || c > '7') throw new TarFormatException("bad number"); r = r * 8 + (c - '0'); }
        return r;
    }
    private static byte[] Str(ReadOnlySpan<byte> f) { var i = f.IndexOf((byte)0); return (i < 0 ? f : f[..i]).ToArray(); }
    public TarEntry? Next()
    {
        var raw = new MemoryStream();
        if (Data is Sub sub) { _dataLeft = sub.Left; }
        Skip(_dataLeft, null); Skip(_padLeft, raw); _dataLeft = 0; _padLeft = 0;
        var pax = new List<KeyValuePair<string, byte[]>>();
        byte[]? longName = null, longLink = null;
        while (true)
        {
            if (!ReadBlock(_block, raw)) { Trailer = raw.ToArray(); return null; }
            if (_block.All(x => x == 0)) { var rest = new MemoryStream(); _s.CopyTo(rest); raw.Write(rest.ToArray()); _pos += rest.Length; Trailer = raw.ToArray(); return null; }
            long sum = 0; for (var i = 0; i < 512; i++) sum += i is >= 148 and < 156 ? 32 : _block[i];
            if (sum != Num(_block.AsSpan(148, 8))) throw new TarFormatException("bad header checksum");
            var type = _block[156]; var size = Num(_block.AsSpan(124, 12));
            if (type is (byte)'x' or (byte)'g' or (byte)'L' or (byte)'K')
            {
                var d = new MemoryStream(); Skip(size, d); raw.Write(d.ToArray()); var pad = (512 - size % 512) % 512; Skip(pad, raw);
                var bytes = d.ToArray();
                if (type == 'L') longName = Str(bytes); else if (type == 'K') longLink = Str(bytes);
                else if (type == 'x') { var p = 0; while (p < bytes.Length) { var sp = Array.IndexOf(bytes, (byte)' ', p); var len = int.Parse(Encoding.ASCII.GetString(bytes, p, sp - p)); var rec = bytes.AsSpan(sp + 1, len - (sp - p) - 2); var eq = rec.IndexOf((byte)'='); pax.Add(new(Encoding.UTF8.GetString(rec[..eq]), rec[(eq + 1)..].ToArray())); p += len; } }
                continue;
            }
            var name = Str(_block.AsSpan(0, 100)); var prefix = Str(_block.AsSpan(345, 155));
            if (Encoding.ASCII.GetString(_block, 257, 5) == "ustar" && prefix.Length > 0 && _block[263] != ' ') name = [.. prefix, (byte)'/', .. name];
            var link = Str(_block.AsSpan(157, 100));
            long mt = Num(_block.AsSpan(136, 12)); int ns = 0; long uid = Num(_block.AsSpan(108, 8)), gid = Num(_block.AsSpan(116, 8));
            if (longName is not null) name = longName; if (longLink is not null) link = longLink;
            foreach (var (k, v) in pax)
            {
                var s = Encoding.UTF8.GetString(v);
                switch (k) { case "path": name = v; break; case "linkpath": link = v; break; case "size": size = long.Parse(s); break; case "uid": uid = long.Parse(s); break; case "gid": gid = long.Parse(s); break;
                    case "mtime": var neg = s.StartsWith('-'); var t = s.TrimStart('-').Split('.'); mt = long.Parse(t[0]); ns = t.Length > 1 ? int.Parse((t[1] + "000000000")[..9]) : 0; if (neg) { mt = -mt; if (ns > 0) { mt -= 1; ns = 1_000_000_000 - ns; } } break; }
            }
            var et = type switch { (byte)'1' => TarEntryType.HardLink, (byte)'2' => TarEntryType.Symlink, (byte)'3' => TarEntryType.CharDevice, (byte)'4' => TarEntryType.BlockDevice, (byte)'5' => TarEntryType.Directory, (byte)'6' => TarEntryType.Fifo, (byte)'0' or 0 or (byte)'7' => TarEntryType.Regular, _ => throw new TarFormatException("unsupported type") };
            if (et != TarEntryType.Regular) size = 0;
            _dataLeft = size; _padLeft = (512 - size % 512) % 512;
            Data = new Sub(this, size);
            return new TarEntry { Name = name, LinkName = link, Type = et, TypeFlag = type, Mode = (uint)Num(_block.AsSpan(100, 8)) & 0xFFF, Uid = uid, Gid = gid, Size = size, MTimeSeconds = mt, MTimeNanoseconds = ns, DevMajor = (int)Num(_block.AsSpan(329, 8)), DevMinor = (int)Num(_block.AsSpan(337, 8)),
                Xattrs = pax.Where(p => p.Key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal)).Select(p => new KeyValuePair<string, byte[]>(p.Key[13..], p.Value)).ToList(), PaxRecords = pax, RawBefore = raw.ToArray(), DataOffset = _pos };
        }
    }
    private sealed class Sub(TarReader r, long size) : Stream
    {
        public long Left = size;
        public override int Read(byte[] b, int o, int c) { if (Left == 0) return 0; var n = r._s.Read(b, o, (int)Math.Min(c, Left)); if (n <= 0) throw new TarFormatException("truncated data"); Left -= n; r._pos += n; return n; }
        public override bool CanRead => true; public override bool CanSeek => false; public override bool CanWrite => false; public override long Length => 0; public override long Position { get => 0; set { } }
        public override void Flush() { } public override long Seek(long o, SeekOrigin s) => 0; public override void SetLength(long v) { } public override void Write(byte[] b, int o, int c) { }
    }
    public void Dispose() { }
}
