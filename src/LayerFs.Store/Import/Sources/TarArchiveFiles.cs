using System.Text;
using LayerFs.Tar;
using Microsoft.Win32.SafeHandles;

namespace LayerFs.Store.Import.Sources;

/// <summary>
/// An image source that is an uncompressed tar (oci-archive, docker-archive): indexed in one pass
/// (name → data offset and size), then read in place without unpacking. Symlinks and hard links
/// inside the archive (skopeo writes "&lt;id&gt;/layer.tar -> ../&lt;diffid&gt;.tar") are
/// followed, but only within the archive.
/// </summary>
internal sealed class TarArchiveFiles : ISourceFiles
{
    private readonly record struct Member(TarEntryType Type, long Offset, long Size, string Link);

    private readonly SafeFileHandle _handle;
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
    private readonly string? _ownedTempFile;

    public TarArchiveFiles(string path, string description, string? ownedTempFile = null)
    {
        Description = description;
        _ownedTempFile = ownedTempFile;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            using var reader = new TarReader(stream, new TarReaderOptions(), leaveOpen: true);
            while (reader.Next() is { } entry)
            {
                var name = Normalise(Encoding.UTF8.GetString(entry.Name));
                var link = entry.Type == TarEntryType.HardLink ? Normalise(Encoding.UTF8.GetString(entry.LinkName)) : Encoding.UTF8.GetString(entry.LinkName);
                _members[name] = new Member(entry.Type, entry.DataOffset, entry.Size, link);
            }
        }
        catch (TarFormatException e)
        {
            _handle.Dispose();
            throw new InvalidImageException($"{description}: {e.Message}", e);
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    public string Description { get; }

    private static string Normalise(string name)
    {
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part is "" or ".")
                continue;
            if (part == "..")
            {
                if (parts.Count > 0)
                    parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    private Member? Find(string path)
    {
        var name = Normalise(path);
        for (var hops = 0; hops < 40; hops++)
        {
            if (!_members.TryGetValue(name, out var member))
                return null;
            switch (member.Type)
            {
                case TarEntryType.Symlink:
                    var dir = name.Contains('/', StringComparison.Ordinal) ? name[..name.LastIndexOf('/')] : "";
                    name = member.Link.StartsWith('/') ? Normalise(member.Link) : Normalise(dir + "/" + member.Link);
                    continue;
                case TarEntryType.HardLink:
                    name = member.Link;
                    continue;
                default:
                    return member;
            }
        }
        throw new InvalidImageException($"{Description}: too many levels of links at '{Escape.Text(path)}'");
    }

    public bool Exists(string path) => Find(path) is not null || List(path).Any();

    public long? SizeOf(string path) => Find(path) is { Type: TarEntryType.Regular } m ? m.Size : null;

    public Stream Open(string path)
    {
        if (Find(path) is not { Type: TarEntryType.Regular } member)
            throw new InvalidImageException($"{Description}: '{Escape.Text(path)}' is missing from the archive");
        return new BufferedStream(new SubStream(_handle, member.Offset, member.Size), 1 << 16);
    }

    public IEnumerable<string> List(string directory)
    {
        var prefix = Normalise(directory);
        prefix = prefix.Length == 0 ? "" : prefix + "/";
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in _members.Keys)
        {
            if (name.Length <= prefix.Length || !name.StartsWith(prefix, StringComparison.Ordinal))
                continue;
            var rest = name[prefix.Length..];
            var slash = rest.IndexOf('/');
            names.Add(slash < 0 ? rest : rest[..slash]);
        }
        return names;
    }

    public void Dispose()
    {
        _handle.Dispose();
        if (_ownedTempFile is not null)
            File.Delete(_ownedTempFile);
    }
}
