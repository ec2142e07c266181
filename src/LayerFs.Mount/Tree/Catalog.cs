using LayerFs.Mount.Stack;
using LayerFs.Store;
using LayerFs.Store.Model;

namespace LayerFs.Mount.Tree;

/// <summary>
/// What images/ and layers/ show at one index generation: the tags (as a tree of directories,
/// since '/' in a repository name nests), the chains images use and their layer stacks. Immutable; a new
/// one is loaded when the generation changes.
/// </summary>
internal sealed class Catalog
{
    private readonly Dictionary<string, SortedSet<string>> _directories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImageInfo> _byTag = new(StringComparer.Ordinal);
    private readonly Dictionary<Digest, ImageInfo> _byId = [];
    private readonly Dictionary<string, ChainInfo> _chains = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LayerStack> _stacks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ImageInfo Image, ImageLayerInfo Layer)> _chainUse = new(StringComparer.Ordinal);

    public Catalog(long generation, IReadOnlyList<ImageInfo> images, IReadOnlyList<ChainInfo> chains, Catalog? previous)
    {
        Generation = generation;
        _directories[""] = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            _byId[image.Id] = image;
            foreach (var tag in image.Tags)
                AddTag(tag, image);
            foreach (var layer in image.Layers)
                _chainUse.TryAdd(layer.ChainId.Hex, (image, layer));
        }

        // Chains come ordered by depth, so a chain's parent always has its stack already. A chain
        // no image uses any more is left out: it is garbage, and while layers/ showed it the
        // kernel would keep its nodes, and their leases would keep it from prune for ever.
        foreach (var chain in chains)
        {
            if (!_chainUse.ContainsKey(chain.ChainId.Hex))
                continue;
            _chains[chain.ChainId.Hex] = chain;
            var layers = new List<StackLayer>();
            if (chain.Parent is { } parent)
            {
                if (!_stacks.TryGetValue(parent.Hex, out var below))
                    continue;
                layers.AddRange(below.Layers);
            }
            layers.Add(new StackLayer(chain.LayerId, chain.RootEntry, chain.DiffId));
            // Keep the stack object (and what it has computed) while its layers are the same rows.
            _stacks[chain.ChainId.Hex] = previous?._stacks.GetValueOrDefault(chain.ChainId.Hex) is { } old && old.SameLayers(layers)
                ? old
                : new LayerStack(chain.ChainId, layers);
        }
    }

    public long Generation { get; }

    public IEnumerable<ChainInfo> Chains => _chains.Values;

    private void AddTag(string tag, ImageInfo image)
    {
        var parts = tag.Split('/');
        var prefix = "";
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0 || parts[i] is "." or "..")
                return;
            _directories[prefix].Add(parts[i]);
            prefix += parts[i];
            if (i == parts.Length - 1)
                break;
            prefix += "/";
            if (!_directories.ContainsKey(prefix))
                _directories[prefix] = new SortedSet<string>(StringComparer.Ordinal);
        }
        _byTag[tag] = image;
    }

    /// <summary>Names under images/&lt;prefix&gt; ("" for images/ itself; otherwise ending in '/').</summary>
    public IReadOnlyCollection<string> NamesUnder(string prefix) =>
        _directories.TryGetValue(prefix, out var names) ? names : [];

    /// <summary>The image a full tag names, if it is one (a tag wins over a directory of the same name).</summary>
    public ImageInfo? Image(string tag) => _byTag.GetValueOrDefault(tag);

    /// <summary>An image by id, tagged or not (what a view names).</summary>
    public ImageInfo? ImageById(Digest id) => _byId.GetValueOrDefault(id);

    public bool IsDirectory(string prefix) => _directories.ContainsKey(prefix);

    public ChainInfo? Chain(string hex) => _chains.GetValueOrDefault(hex);

    public LayerStack? StackOf(string chainHex) => _stacks.GetValueOrDefault(chainHex);

    /// <summary>An image that has the chain (its first, in import order), with the layer's blob facts.</summary>
    public (ImageInfo Image, ImageLayerInfo Layer)? UseOf(string chainHex) =>
        _chainUse.TryGetValue(chainHex, out var use) ? use : null;

    public IEnumerable<string> Tags => _byTag.Keys;
}
