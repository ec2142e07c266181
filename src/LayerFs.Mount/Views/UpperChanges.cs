using System.Text;
using LayerFs.Mount.Interop;
using LayerFs.Mount.Reading;
using LayerFs.Mount.Stack;
using LayerFs.Mount.Tree;
using LayerFs.Store;
using LayerFs.Store.Model;
using LayerFs.Store.Views;

namespace LayerFs.Mount.Views;

/// <summary>
/// A userspace view's changes, read from its upper directory (see <see cref="UpperLayout"/>)
/// against its image's stack: every upper entry is Added (the image has nothing there, or it is
/// below an opaque directory) or Changed; a whiteout over an image entry is Deleted; an opaque
/// marker makes its directory Opaque; a metacopy's content is its object. Walked with directory
/// fds in name-byte order, parents first. A path whose host name would pass PATH_MAX is given as
/// /proc/self/fd/N/NAME, valid until the enumeration moves past its directory.
/// </summary>
internal sealed class UpperChanges : IViewChanges
{
    private const int HostPathLimit = 4000;

    private readonly IndexReader _reader;
    private readonly UpperLayout _layout;
    private readonly StoreLayout _store;
    private readonly LayerStack? _stack;
    private readonly Dictionary<long, UpperRow> _rows;

    private UpperChanges(IndexReader reader, StoreLayout store, UpperLayout layout, LayerStack? stack, Dictionary<long, UpperRow> rows)
    {
        _reader = reader;
        _store = store;
        _layout = layout;
        _stack = stack;
        _rows = rows;
    }

    public static UpperChanges Open(ImageStore store, ViewInfo view)
    {
        var layout = UpperLayout.Of(store, view.Name);
        var reader = new IndexReader(store.Layout);
        try
        {
            var images = reader.Tree.Images();
            var image = images.FirstOrDefault(i => i.Id == view.ImageId)
                ?? throw new StoreException($"view {view.Name}: its image {view.ImageId} is gone");
            LayerStack? stack = null;
            if (image.Layers.Count > 0)
            {
                var catalog = new Catalog(reader.Tree.Generation(), images, reader.Tree.Chains(), null);
                stack = catalog.StackOf(image.Layers[^1].ChainId.Hex)
                    ?? throw new StoreException($"view {view.Name}: the layers of image {view.ImageId} are incomplete");
            }
            return new UpperChanges(reader, store.Layout, layout, stack, UpperTable.ReadAll(layout.Table));
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    public IEnumerable<ViewChange> Enumerate()
    {
        if (Host.Open(Libc.AT_FDCWD, Encoding.UTF8.GetBytes(_layout.Upper), Libc.O_RDONLY | Libc.O_DIRECTORY, 0, out var root) != 0)
            throw new StoreException($"cannot read {_layout.Upper}");
        try
        {
            var lower = _stack is null ? [] : StackLookup.Root(_reader, _stack).Layers!;
            foreach (var change in Walk(root, "", _layout.Upper, lower))
                yield return change;
        }
        finally
        {
            Host.Close(root);
        }
    }

    private IEnumerable<ViewChange> Walk(int dirFd, string prefix, string hostDir, DirLayer[] lower)
    {
        var entries = new List<Host.DirEntry>();
        var rc = Host.ReadDirectory(dirFd, entries);
        if (rc != 0)
            throw new StoreException($"cannot read {hostDir}: errno {rc}");
        entries.Sort((a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        foreach (var entry in entries)
        {
            if (entry.Name.AsSpan().SequenceEqual(ViewDirNode.Marker))
                continue;
            string name;
            try
            {
                name = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(entry.Name);
            }
            catch (DecoderFallbackException)
            {
                throw new StoreException($"{hostDir}: a name that is not UTF-8 ({Convert.ToHexString(entry.Name)}) cannot be reported");
            }
            var path = prefix + name;
            if (Host.Stat(dirFd, entry.Name, out var st) != 0)
                continue;
            var lowerChild = lower.Length > 0 ? StackLookup.Lookup(_reader, lower, entry.Name) : null;
            var kind = lowerChild is null ? ViewChangeKind.Added : ViewChangeKind.Changed;
            var host = hostDir + "/" + name;
            var source = Encoding.UTF8.GetByteCount(host) < HostPathLimit ? host : $"/proc/self/fd/{dirFd}/{name}";
            if (Host.IsWhiteout(st))
            {
                if (lowerChild is not null)
                    yield return new ViewChange(path, ViewChangeKind.Deleted);
                continue;
            }
            if ((st.Mode & Host.S_IFMT) != Host.S_IFDIR)
            {
                var row = _rows.GetValueOrDefault((long)st.Ino);
                var content = row is { Object: { } obj } && row.Matches(Host.BirthNs(st)) ? _store.ObjectPath(Convert.FromHexString(obj)) : null;
                yield return new ViewChange(path, kind, source, content);
                continue;
            }
            var markerPath = new byte[entry.Name.Length + 1 + ViewDirNode.Marker.Length];
            entry.Name.CopyTo(markerPath, 0);
            markerPath[entry.Name.Length] = (byte)'/';
            ViewDirNode.Marker.CopyTo(markerPath.AsSpan(entry.Name.Length + 1));
            var opaque = Host.Stat(dirFd, markerPath, out _) == 0;
            yield return new ViewChange(path, kind, source, null, opaque);
            var childLower = !opaque && lowerChild is { IsDirectory: true } ? lowerChild.Layers! : [];
            if (Host.Open(dirFd, entry.Name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW, 0, out var child) != 0)
                throw new StoreException($"cannot read {host}");
            try
            {
                foreach (var change in Walk(child, path + "/", host, childLower))
                    yield return change;
            }
            finally
            {
                Host.Close(child);
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}
