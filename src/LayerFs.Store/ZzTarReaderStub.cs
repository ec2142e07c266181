namespace LayerFs.Tar;
public sealed class TarReader : IDisposable
{
    public TarReader(Stream stream, TarReaderOptions? options = null, bool leaveOpen = false) { _ = stream; _ = options; _ = leaveOpen; }
    public TarEntry? Next() => null;
    public Stream Data => Stream.Null;
    public byte[] Trailer => [];
    public void Dispose() { }
}
