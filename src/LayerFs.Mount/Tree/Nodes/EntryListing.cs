using LayerFs.Mount.Stack;

namespace LayerFs.Mount.Tree.Nodes;

/// <summary>
/// The listing of a directory made of layer entries (a rootfs directory or a diff/ directory):
/// one name per child, numbered as a lookup numbers it (a directory by its own entry, anything
/// else by its hard-link group), keeping what READDIRPLUS and the lookups that follow a READDIR
/// need to make the child's node without asking the index again. The hard-link groups of the
/// whole directory come from one query per layer directory.
/// </summary>
internal static class EntryListing
{
    /// <param name="children">The directory's children, ordered by name bytes.</param>
    /// <param name="layerDirectories">The layer entries the directory is made of (its layers' directories, or the one diff directory).</param>
    public static List<Listed> Of(TreeContext tree, TreeScope scope, List<StackChild> children, IEnumerable<long> layerDirectories)
    {
        var groups = HardLinks.GroupsUnder(tree.Reader, layerDirectories);
        var list = new List<Listed>(children.Count);
        foreach (var child in children)
        {
            if (child.IsDirectory)
            {
                list.Add(new EntryListed(child, InodeNumbers.Entry(scope.InodeNamespace, child.Top.Id), Attributes.Directory, null));
                continue;
            }
            var link = HardLinks.Resolve(tree.Reader, child.Top, groups);
            list.Add(new EntryListed(child, InodeNumbers.Entry(scope.InodeNamespace, link.GroupId), Attributes.TypeOf(link.Attributes.Kind), link));
        }
        return list;
    }
}

/// <summary>One name of an <see cref="EntryListing"/>.</summary>
internal sealed class EntryListed : Listed
{
    public EntryListed(StackChild child, ulong ino, uint type, LinkTarget? link) : base(child.Top.Name, ino, type)
    {
        Child = child;
        Link = link;
    }

    public StackChild Child { get; }

    /// <summary>For a non-directory, what it shows (resolved with the whole listing's groups).</summary>
    public LinkTarget? Link { get; }
}
