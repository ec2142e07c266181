using LayerFs.Fuse;

namespace LayerFs.Mount.Tree;

/// <summary>Extended attributes of an index entry, exactly as its tar's PAX records carried them.</summary>
internal static class EntryXattrs
{
    /// <param name="entryId">The entry; null for one the index says has none (answered without a query).</param>
    public static int Get(TreeContext tree, long? entryId, string name, out byte[] value)
    {
        value = [];
        return entryId is { } id ? Get(tree, id, name, out value) : Errno.ENODATA;
    }

    /// <param name="entryId">The entry; null for one the index says has none (answered without a query).</param>
    public static int List(TreeContext tree, long? entryId, out IReadOnlyList<string> names)
    {
        names = [];
        return entryId is { } id ? List(tree, id, out names) : 0;
    }

    public static int Get(TreeContext tree, long entryId, string name, out byte[] value)
    {
        foreach (var (key, data) in tree.Reader.Tree.Xattrs(entryId))
        {
            if (key == name)
            {
                value = data;
                return 0;
            }
        }
        value = [];
        return Errno.ENODATA;
    }

    public static int List(TreeContext tree, long entryId, out IReadOnlyList<string> names)
    {
        names = [.. tree.Reader.Tree.Xattrs(entryId).Select(x => x.Key)];
        return 0;
    }
}
