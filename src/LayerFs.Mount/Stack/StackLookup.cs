using System.Text;
using LayerFs.Mount.Reading;
using LayerFs.Store.Model;

namespace LayerFs.Mount.Stack;

/// <summary>
/// The OCI layer rules, applied at lookup time (image-spec layer.md, "Applying changesets"):
/// layers stack bottom to top; a ".wh.NAME" hides NAME in the layers below its own, never in its
/// own; ".wh..wh..opq" cuts every lower layer's children of its directory (before anything else of
/// its layer, whatever the tar order); a non-directory replaces whatever lower entry has its path,
/// a directory over a directory merges; no ".wh." name is ever shown. Whiteouts that a layer puts
/// below one of its own non-directories name lower paths only: they are never followed through
/// that symlink or file (umoci's unpack does follow them, and is wrong).
/// </summary>
internal static class StackLookup
{
    private static readonly byte[] WhiteoutPrefix = ".wh."u8.ToArray();

    public static bool IsWhiteoutName(ReadOnlySpan<byte> name) => name.StartsWith(WhiteoutPrefix);

    /// <summary>The stack's root directory: every layer's root, cut below an opaque one.</summary>
    public static StackChild Root(IndexReader reader, LayerStack stack)
    {
        var layers = new List<DirLayer>();
        EntryRow? top = null, attributes = null;
        var topPosition = 0;
        for (var position = stack.Layers.Length - 1; position >= 0; position--)
        {
            var row = reader.Tree.Get(stack.Layers[position].RootEntry)
                ?? throw new InvalidOperationException($"layer {stack.Layers[position].DiffId} has no root entry");
            if (top is null)
            {
                top = row;
                topPosition = position;
            }
            if (attributes is null && !row.IsImplicit)
                attributes = row;
            layers.Add(new DirLayer(position, row.Id));
            if (row.IsOpaque)
                break;
        }
        if (top is null)
            throw new InvalidOperationException("a stack without layers has no root");
        return new StackChild(top, topPosition, [.. layers], attributes ?? top);
    }

    /// <summary>Resolves one name in a merged directory; null if the stack has nothing there.</summary>
    public static StackChild? Lookup(IndexReader reader, DirLayer[] dir, byte[] name)
    {
        if (IsWhiteoutName(name))
            return null;
        var whiteoutName = WhiteoutFor(name);
        EntryRow? top = null, attributes = null;
        var topPosition = 0;
        List<DirLayer>? layers = null;
        for (var i = 0; i < dir.Length; i++)
        {
            var isLowest = i == dir.Length - 1;
            EntryRow? entry, whiteout = null;
            if (isLowest)
                entry = reader.Tree.Child(dir[i].EntryId, name);
            else
                (entry, whiteout) = reader.ChildAndWhiteout(dir[i].EntryId, name, whiteoutName);

            if (entry is not null)
            {
                if (top is null)
                {
                    top = entry;
                    topPosition = dir[i].Position;
                    if (entry.Kind != EntryKind.Directory)
                        return new StackChild(entry, topPosition, null, entry);
                    layers = [];
                }
                else if (entry.Kind != EntryKind.Directory)
                {
                    // An upper directory replaces a lower non-directory: nothing below merges.
                    break;
                }
                layers!.Add(new DirLayer(dir[i].Position, entry.Id));
                if (attributes is null && !entry.IsImplicit)
                    attributes = entry;
                if (entry.IsOpaque)
                    break;
            }
            // The whiteout hides the name in the layers below this one only.
            if (whiteout is not null)
                break;
        }
        return top is null ? null : new StackChild(top, topPosition, [.. layers!], attributes ?? top);
    }

    /// <summary>All names of a merged directory, ordered by name bytes.</summary>
    public static List<StackChild> List(IndexReader reader, DirLayer[] dir)
    {
        if (dir.Length == 1)
            return ListOneLayer(reader, dir[0]);
        // Names as Latin-1 strings: one char per byte, so ordinal order is byte order.
        var found = new Dictionary<string, Builder>(StringComparer.Ordinal);
        var hidden = new HashSet<string>(StringComparer.Ordinal);
        var layerWhiteouts = new List<string>();
        foreach (var layer in dir)
        {
            layerWhiteouts.Clear();
            foreach (var row in reader.Tree.Children(layer.EntryId))
            {
                if (row.IsOpaqueMarker)
                    continue;
                if (row.IsWhiteout)
                {
                    layerWhiteouts.Add(Encoding.Latin1.GetString(row.HiddenName));
                    continue;
                }
                var key = Encoding.Latin1.GetString(row.Name);
                if (found.TryGetValue(key, out var builder))
                    builder.AddLower(layer.Position, row);
                else if (!hidden.Contains(key))
                    found[key] = new Builder(layer.Position, row);
            }
            // Applied after the layer's own entries: a whiteout never hides its own layer.
            foreach (var name in layerWhiteouts)
            {
                hidden.Add(name);
                if (found.TryGetValue(name, out var builder))
                    builder.Closed = true;
            }
        }
        var keys = found.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        var result = new List<StackChild>(keys.Length);
        foreach (var key in keys)
            result.Add(found[key].Build());
        return result;
    }

    /// <summary>
    /// A directory only one layer has (most of them): its entries as they are, in the index's
    /// name order, without whiteouts and opaque markers (which only ever hide lower layers).
    /// </summary>
    private static List<StackChild> ListOneLayer(IndexReader reader, DirLayer layer)
    {
        var rows = reader.Tree.Children(layer.EntryId);
        var result = new List<StackChild>(rows.Count);
        foreach (var row in rows)
        {
            if (row.IsWhiteout || row.IsOpaqueMarker)
                continue;
            var layers = row.Kind == EntryKind.Directory ? new[] { new DirLayer(layer.Position, row.Id) } : null;
            result.Add(new StackChild(row, layer.Position, layers, row));
        }
        return result;
    }

    /// <summary>Resolves a path of names from the stack's root; null if any step is missing or not a directory.</summary>
    public static StackChild? Resolve(IndexReader reader, LayerStack stack, IReadOnlyList<byte[]> path)
    {
        var current = Root(reader, stack);
        foreach (var name in path)
        {
            if (!current.IsDirectory)
                return null;
            var next = Lookup(reader, current.Layers!, name);
            if (next is null)
                return null;
            current = next;
        }
        return current;
    }

    private static byte[] WhiteoutFor(byte[] name)
    {
        var whiteout = new byte[WhiteoutPrefix.Length + name.Length];
        WhiteoutPrefix.CopyTo(whiteout, 0);
        name.CopyTo(whiteout, WhiteoutPrefix.Length);
        return whiteout;
    }

    /// <summary>One name of a merged listing, collected layer by layer from the top.</summary>
    private sealed class Builder
    {
        private readonly EntryRow _top;
        private readonly int _topPosition;
        private readonly List<DirLayer>? _layers;
        private EntryRow? _attributes;

        public Builder(int position, EntryRow top)
        {
            _top = top;
            _topPosition = position;
            if (top.Kind != EntryKind.Directory)
            {
                Closed = true;
                return;
            }
            _layers = [new DirLayer(position, top.Id)];
            if (!top.IsImplicit)
                _attributes = top;
            Closed = top.IsOpaque;
        }

        /// <summary>Set once nothing lower can merge in (a non-directory, an opaque directory, a whiteout).</summary>
        public bool Closed { get; set; }

        public void AddLower(int position, EntryRow row)
        {
            if (Closed)
                return;
            if (row.Kind != EntryKind.Directory)
            {
                Closed = true;
                return;
            }
            _layers!.Add(new DirLayer(position, row.Id));
            if (_attributes is null && !row.IsImplicit)
                _attributes = row;
            if (row.IsOpaque)
                Closed = true;
        }

        public StackChild Build() => new(_top, _topPosition, _layers is null ? null : [.. _layers], _attributes ?? _top);
    }
}
