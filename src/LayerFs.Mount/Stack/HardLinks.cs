using LayerFs.Mount.Reading;
using LayerFs.Store.Model;

namespace LayerFs.Mount.Stack;

/// <summary>
/// Hard-link groups. A tar hard link is a record naming an earlier path of the same layer, so a
/// group lives in one layer; the index marks every member after the first with the first's id.
/// All names of a group show one st_ino and the group's attributes. st_nlink counts the names:
/// in a layer's diff/, all of them; in a rootfs, only those that are still visible there, since an
/// upper layer may replace or white out a member and so take it out of the group.
/// </summary>
internal static class HardLinks
{
    /// <summary>
    /// The entry whose attributes a non-directory shows (the group's first member for a hard-link
    /// record), the group it belongs to (its first member's id; the entry's own id if none), and
    /// how many names the group has in the layer. <paramref name="groups"/>, when given, holds the
    /// groups of the entry's directory (see <see cref="IndexReader.GroupsUnder"/>), sparing a query.
    /// </summary>
    public static LinkTarget Resolve(IndexReader reader, EntryRow row, Dictionary<long, int>? groups = null)
    {
        if (row.Kind == EntryKind.HardLink && row.HardLink is { } first)
        {
            var target = reader.Tree.Get(first) ?? row;
            return new LinkTarget(target, first, reader.GroupSize(first));
        }
        if (row.Kind == EntryKind.Directory)
            return new LinkTarget(row, row.Id, 1);
        var size = groups is null ? reader.GroupSize(row.Id) : groups.GetValueOrDefault(row.Id, 1);
        return new LinkTarget(row, row.Id, size);
    }

    /// <summary>The groups of the children of a merged directory's layer directories.</summary>
    public static Dictionary<long, int> GroupsUnder(IndexReader reader, IEnumerable<long> layerDirectories)
    {
        var groups = new Dictionary<long, int>();
        foreach (var dir in layerDirectories)
            reader.GroupsUnder(dir, groups);
        return groups;
    }

    /// <summary>How many names of a group (size &gt; 1) are visible in a stack.</summary>
    public static int VisibleInStack(IndexReader reader, LayerStack stack, LinkTarget link)
    {
        if (link.GroupSize <= 1)
            return 1;
        return stack.VisibleLinks(link.GroupId, first =>
        {
            var members = new List<long> { first };
            members.AddRange(reader.LinksTo(first));
            var visible = 0;
            foreach (var member in members)
            {
                var path = PathOf(reader, member);
                if (path is not null && StackLookup.Resolve(reader, stack, path)?.Top.Id == member)
                    visible++;
            }
            // The name the kernel asked about is visible, whatever the walk found.
            return Math.Max(visible, 1);
        });
    }

    /// <summary>The names from the layer root down to an entry; null if a row is missing.</summary>
    private static List<byte[]>? PathOf(IndexReader reader, long entryId)
    {
        var path = new List<byte[]>();
        var row = reader.Tree.Get(entryId);
        while (row is not null && row.Parent is { } parent)
        {
            path.Add(row.Name);
            row = reader.Tree.Get(parent);
        }
        if (row is null)
            return null;
        path.Reverse();
        return path;
    }
}

/// <summary>What a non-directory entry shows: see <see cref="HardLinks.Resolve"/>.</summary>
internal readonly record struct LinkTarget(EntryRow Attributes, long GroupId, int GroupSize);
