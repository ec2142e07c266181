using System.Text;
using LayerFs.Tar;

namespace LayerFs.Store.Export;

/// <summary>
/// The outer tar of an exported archive: plain files and directories owned by root with fixed
/// modes and a zero mtime, so exporting the same image twice gives the same bytes.
/// </summary>
internal sealed class ArchiveTar : IDisposable
{
    private readonly TarWriter _tar;

    public ArchiveTar(Stream output) => _tar = new TarWriter(output, leaveOpen: true);

    public void Directory(string name) =>
        _tar.WriteEntry(new TarWriterEntry { Type = TarEntryType.Directory, Name = Encoding.UTF8.GetBytes(name), Mode = 0b111_101_101 });

    public void File(string name, ReadOnlySpan<byte> data)
    {
        using var content = new MemoryStream(data.ToArray(), writable: false);
        File(name, data.Length, content);
    }

    /// <summary>A file of exactly <paramref name="size"/> bytes read from <paramref name="content"/>.</summary>
    public void File(string name, long size, Stream content) =>
        _tar.WriteEntry(new TarWriterEntry { Type = TarEntryType.Regular, Name = Encoding.UTF8.GetBytes(name), Mode = 0b110_100_100, Size = size }, content);

    public void Finish() => _tar.Finish();

    public void Dispose() => _tar.Dispose();
}
