using LayerFs.Fuse;
using LayerFs.Mount.Interop;
using LayerFs.Mount.Stack;
using LayerFs.Mount.Tree;

namespace LayerFs.Mount.Views;

/// <summary>
/// A directory of a view: its upper directory (if it has one yet) merged over the image's
/// directories of the same path (<see cref="Lower"/>, empty once opaque or for a directory made in
/// the view). Upper entries shadow lower ones, whiteouts hide them, ".wh." names never show.
/// </summary>
internal sealed partial class ViewDirNode : ViewNode
{
    public const string OpaqueMarker = ".wh..wh..opq";
    private static readonly byte[] OpaqueMarkerBytes = System.Text.Encoding.ASCII.GetBytes(OpaqueMarker);
    private static readonly byte[] WhiteoutPrefix = ".wh."u8.ToArray();

    public ViewDirNode(ViewState view, long identity, ViewDirNode? parent, byte[] name, DirLayer[] lower, long? lowerAttributes)
        : base(view, identity, Attributes.Directory, parent, name)
    {
        Lower = lower;
        LowerAttributes = lowerAttributes;
    }

    /// <summary>Directories with more image names than this are asked name by name instead of held in memory.</summary>
    private const int LowerNamesBudget = 16 * 1024;

    private DirLayer[] _lower = [];
    private Dictionary<byte[], StackChild>? _lowerNames;
    private List<StackChild>? _lowerList;
    private Dictionary<long, int>? _lowerGroups;
    private bool _lowerTooLarge;

    /// <summary>The image's directories merged below, top first (empty: nothing shows through).</summary>
    public DirLayer[] Lower
    {
        get => _lower;
        set
        {
            _lower = value;
            _lowerNames = null;
            _lowerList = null;
            _lowerGroups = null;
            _lowerTooLarge = false;
        }
    }

    /// <summary>
    /// The image's entry NAME below this directory (shadowed or not), null if none. The image never
    /// changes, so the merged listing is read once (one query per layer) and kept with the node: an
    /// untar, a cp -a or an rm -r asks about every name, several times each (lookup, unlink, create).
    /// Lock held.
    /// </summary>
    public StackChild? LowerChild(TreeContext tree, byte[] name)
    {
        if (_lower.Length == 0 || IsReserved(name))
            return null;
        HoldLowerNames(tree);
        return _lowerNames is { } held ? held.GetValueOrDefault(name) : StackLookup.Lookup(tree.Reader, _lower, name);
    }

    /// <summary>Reads and keeps the merged listing, unless it is kept already or too large.</summary>
    private void HoldLowerNames(TreeContext tree)
    {
        if (_lowerNames is not null || _lowerTooLarge || _lower.Length == 0)
            return;
        var children = StackLookup.List(tree.Reader, _lower);
        if (children.Count > LowerNamesBudget)
        {
            _lowerTooLarge = true;
        }
        else
        {
            var names = new Dictionary<byte[], StackChild>(children.Count, ByteOrder.Instance);
            foreach (var child in children)
                names[child.Top.Name] = child;
            _lowerGroups = HardLinks.GroupsUnder(tree.Reader, _lower.Select(l => l.EntryId));
            _lowerList = children;
            _lowerNames = names;
        }
    }

    /// <summary>What an image non-directory of this directory shows (its hard-link group from the kept listing when there is one).</summary>
    private LinkTarget ResolveLower(TreeContext tree, StackChild child) => HardLinks.Resolve(tree.Reader, child.Top, _lowerGroups);

    /// <summary>The image's merged names below this directory, in name order, and their hard-link groups (from the kept listing when there is one).</summary>
    private (IReadOnlyList<StackChild> Children, Dictionary<long, int> Groups) LowerListing(TreeContext tree)
    {
        HoldLowerNames(tree);
        if (_lowerList is { } list && _lowerGroups is { } groups)
            return (list, groups);
        return (StackLookup.List(tree.Reader, _lower), HardLinks.GroupsUnder(tree.Reader, _lower.Select(l => l.EntryId)));
    }

    /// <summary>The image entry whose metadata the directory shows until it is copied up.</summary>
    public long? LowerAttributes { get; set; }

    /// <summary>Removed from the view while the kernel held it.</summary>
    public bool Removed { get; set; }

    public override bool ListingAnswersLookups => false;

    public static bool IsReserved(ReadOnlySpan<byte> name) => name.StartsWith(WhiteoutPrefix);

    public static ReadOnlySpan<byte> Marker => OpaqueMarkerBytes;

    /// <summary>What one name of this directory is, in upper/ and in the image.</summary>
    public int Probe(TreeContext tree, ReadOnlySpan<byte> name, out Probe probe)
    {
        probe = default;
        if (name.Length > 255)
            return Errno.ENAMETOOLONG;
        if (Removed)
            return Errno.ENOENT;
        var bytes = name.ToArray();
        probe.LowerChild = LowerChild(tree, bytes);
        var fd = View.DirFd(this);
        if (fd >= 0)
        {
            var rc = Host.Stat(fd, name, out probe.Upper);
            if (rc == 0)
            {
                if (Host.IsWhiteout(probe.Upper))
                    probe.Whiteout = true;
                else if (!IsReserved(name))
                    probe.InUpper = true;
            }
            else if (rc != Errno.ENOENT)
            {
                return rc;
            }
        }
        return 0;
    }

    /// <summary>The node for a probed name that exists, with its attributes.</summary>
    public int NodeFor(TreeContext tree, byte[] name, in Probe probe, out ViewNode node, out FuseAttr attr)
    {
        node = null!;
        attr = default;
        if (probe.InUpper)
        {
            var st = probe.Upper;
            if ((st.Mode & Host.S_IFMT) == Host.S_IFDIR)
            {
                var lowerDir = probe.LowerChild is { IsDirectory: true } l ? l : null;
                if (lowerDir is not null && IsOpaque(name))
                    lowerDir = null;
                var identity = lowerDir is not null ? lowerDir.Top.Id : ViewState.UpperIdentity(st.Ino);
                var dir = View.Live(identity) as ViewDirNode;
                if (dir is null || dir.Removed)
                    dir = View.Register(new ViewDirNode(View, identity, this, name, lowerDir?.Layers ?? [], lowerDir?.Attributes.Id));
                dir.Parent = this;
                dir.Name = name;
                node = dir;
                attr = View.AttrOf(st, identity);
                return 0;
            }
            var row = View.Table.Find(st.Ino, Host.BirthNs(st));
            var fileIdentity = row?.Origin ?? ViewState.UpperIdentity(st.Ino);
            var file = View.Live(fileIdentity) as ViewFileNode;
            if (file is null)
                file = View.Register(new ViewFileNode(View, fileIdentity, st.Mode & Host.S_IFMT, this, name, null));
            else if (file.Detached is not null || !file.IsUpper)
                file.Attach(this, name);
            file.Lower = null;
            node = file;
            attr = View.AttrOf(st, fileIdentity, row);
            return 0;
        }
        if (probe.Visible is not { } child)
            return Errno.ENOENT;
        if (child.IsDirectory)
        {
            var dir = View.Live(child.Top.Id) as ViewDirNode;
            if (dir is null || dir.Removed)
                dir = View.Register(new ViewDirNode(View, child.Top.Id, this, name, child.Layers!, child.Attributes.Id));
            node = dir;
            attr = Attributes.FromEntry(child.Attributes, dir.Ino, 1);
            return 0;
        }
        var link = ResolveLower(tree, child);
        var lowerFile = View.Live(link.GroupId) as ViewFileNode;
        if (lowerFile is null || lowerFile.IsUpper)
            lowerFile = View.Register(new ViewFileNode(View, link.GroupId, Attributes.TypeOf(link.Attributes.Kind), this, name, link));
        node = lowerFile;
        return lowerFile.GetAttrLocked(tree, out attr);
    }

    /// <summary>Whether the upper directory NAME (inside this one) is marked opaque.</summary>
    private bool IsOpaque(ReadOnlySpan<byte> name)
    {
        var fd = View.DirFd(this);
        if (fd < 0)
            return false;
        var path = new byte[name.Length + 1 + OpaqueMarkerBytes.Length];
        name.CopyTo(path);
        path[name.Length] = (byte)'/';
        OpaqueMarkerBytes.CopyTo(path, name.Length + 1);
        return Host.Stat(fd, path, out _) == 0;
    }

    public override int GetAttr(TreeContext tree, out FuseAttr attr)
    {
        using (View.Enter())
            return GetAttrLocked(tree, out attr);
    }

    public int GetAttrLocked(TreeContext tree, out FuseAttr attr)
    {
        attr = default;
        var fd = View.DirFd(this);
        if (fd >= 0)
        {
            var rc = Host.StatFd(fd, out var st);
            if (rc != 0)
                return rc;
            attr = View.AttrOf(st, Identity);
            return 0;
        }
        if (LowerAttributes is not { } id || tree.Reader.Tree.Get(id) is not { } row)
            return Removed ? Errno.ENOENT : MoreErrno.ESTALE;
        attr = Attributes.FromEntry(row, Ino, 1);
        return 0;
    }

    public override int Lookup(TreeContext tree, byte[] name, out Found found)
    {
        found = default;
        using (View.Enter())
        {
            var rc = Probe(tree, name, out var probe);
            if (rc != 0)
                return rc;
            if (!probe.Exists)
                return Errno.ENOENT;
            rc = NodeFor(tree, name, probe, out var node, out var attr);
            if (rc == 0)
                found = new Found(node, attr);
            return rc;
        }
    }

    public override int List(TreeContext tree, out IReadOnlyList<Listed> entries)
    {
        using (View.Enter())
            return ListLocked(tree, out entries);
    }

    /// <summary>The merged names: upper entries, then the image's names that upper neither shadows nor whites out.</summary>
    public int ListLocked(TreeContext tree, out IReadOnlyList<Listed> entries)
    {
        entries = [];
        if (Removed)
            return 0;
        var names = new SortedDictionary<byte[], Listed>(ByteOrder.Instance);
        var hidden = new HashSet<byte[]>(ByteOrder.Instance);
        var fd = View.DirFd(this);
        if (fd >= 0)
        {
            if (Host.Open(fd, "."u8, Libc.O_RDONLY | Libc.O_DIRECTORY, 0, out var dirFd) != 0)
                return Errno.EIO;
            var raw = new List<Host.DirEntry>();
            var rc = Host.ReadDirectory(dirFd, raw);
            Host.Close(dirFd);
            if (rc != 0)
                return rc;
            foreach (var entry in raw)
            {
                if (IsReserved(entry.Name))
                    continue;
                var type = entry.Type;
                if (type is Host.DT_CHR or Host.DT_UNKNOWN or Host.DT_DIR)
                {
                    if (Host.Stat(fd, entry.Name, out var st) != 0)
                        continue;
                    if (Host.IsWhiteout(st))
                    {
                        hidden.Add(entry.Name);
                        continue;
                    }
                    if ((st.Mode & Host.S_IFMT) == Host.S_IFDIR)
                    {
                        // Numbered as a lookup would: a merged directory keeps its image entry's number.
                        var lowerDir = LowerChild(tree, entry.Name);
                        var identity = lowerDir is { IsDirectory: true } && !IsOpaque(entry.Name) ? lowerDir.Top.Id : ViewState.UpperIdentity(st.Ino);
                        names[entry.Name] = new Listed(entry.Name, View.InoOf(identity), Attributes.Directory);
                        continue;
                    }
                    names[entry.Name] = new Listed(entry.Name, View.InoOf(View.Table.FindByNumber(st.Ino)?.Origin ?? ViewState.UpperIdentity(st.Ino)), st.Mode & Host.S_IFMT);
                    continue;
                }
                var origin = View.Table.FindByNumber(entry.Ino)?.Origin ?? ViewState.UpperIdentity(entry.Ino);
                names[entry.Name] = new Listed(entry.Name, View.InoOf(origin), (uint)type << 12);
            }
        }
        if (Lower.Length > 0)
        {
            var (children, groups) = LowerListing(tree);
            foreach (var child in children)
            {
                if (names.ContainsKey(child.Top.Name) || hidden.Contains(child.Top.Name))
                    continue;
                if (child.IsDirectory)
                {
                    names[child.Top.Name] = new Listed(child.Top.Name, View.InoOf(child.Top.Id), Attributes.Directory);
                    continue;
                }
                var link = HardLinks.Resolve(tree.Reader, child.Top, groups);
                names[child.Top.Name] = new Listed(child.Top.Name, View.InoOf(link.GroupId), Attributes.TypeOf(link.Attributes.Kind));
            }
        }
        entries = [.. names.Values];
        return 0;
    }

    public override int GetXattr(TreeContext tree, string name, out byte[] value)
    {
        using (View.Enter())
        {
            value = [];
            if (XattrPath() is { } path)
                return Host.GetXattr(path, System.Text.Encoding.UTF8.GetBytes(name), out value);
            return LowerAttributes is { } id ? EntryXattrs.Get(tree, id, name, out value) : Errno.ENODATA;
        }
    }

    public override int ListXattr(TreeContext tree, out IReadOnlyList<string> names)
    {
        using (View.Enter())
        {
            names = [];
            if (XattrPath() is { } path)
            {
                var rc = Host.ListXattr(path, out var raw);
                names = [.. raw.Select(n => System.Text.Encoding.UTF8.GetString(n))];
                return rc;
            }
            return LowerAttributes is { } id ? EntryXattrs.List(tree, id, out names) : 0;
        }
    }

    /// <summary>"/proc/self/fd/N/." of the upper directory, or null while it has none.</summary>
    public byte[]? XattrPath()
    {
        var fd = View.DirFd(this);
        return fd < 0 ? null : Host.ProcPath(fd, "."u8);
    }
}

/// <summary>What a name of a view directory is: see <see cref="ViewDirNode.Probe"/>.</summary>
internal struct Probe
{
    /// <summary>The upper entry's statx (valid if <see cref="InUpper"/> or <see cref="Whiteout"/>).</summary>
    public Statx Upper;

    /// <summary>Upper/ has a (non-whiteout) entry of that name.</summary>
    public bool InUpper;

    /// <summary>Upper/ has a whiteout of that name.</summary>
    public bool Whiteout;

    /// <summary>The image's entry of that name below this directory, shadowed or not.</summary>
    public StackChild? LowerChild;

    /// <summary>The image's entry, if it is what the view shows.</summary>
    public readonly StackChild? Visible => InUpper || Whiteout ? null : LowerChild;

    public readonly bool Exists => InUpper || Visible is not null;

    public readonly bool IsDirectory => InUpper ? (Upper.Mode & Host.S_IFMT) == Host.S_IFDIR : Visible?.IsDirectory == true;
}

/// <summary>Orders names by their bytes (as the index and readdir listings do).</summary>
internal sealed class ByteOrder : IComparer<byte[]>, IEqualityComparer<byte[]>
{
    public static readonly ByteOrder Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}
