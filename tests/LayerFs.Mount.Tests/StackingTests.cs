using LayerFs.Fuse;
using LayerFs.Mount.Tests.Support;
using Xunit;

namespace LayerFs.Mount.Tests;

/// <summary>
/// The OCI layer rules, checked through the filesystem operations on hand-built three-layer
/// images: whiteouts, opaque directories, type replacements, implicit directories, hard links.
/// </summary>
public sealed class StackingTests : IDisposable
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000).AddTicks(1234567);
    private const string Rootfs = "images/test/app:1/rootfs";

    private readonly TestStore _store = new();
    private readonly Tree.LayerFileSystem _fs;
    private readonly DirectTree _tree;

    public StackingTests()
    {
        var l0 = new LayerSpec()
            .Dir("etc").File("etc/a", "a0").File("etc/b", "b0").File("etc/keep", "keep")
            .Dir("gone").File("gone/x", "x")
            .Dir("opq").File("opq/old1", "old").Dir("opq/sub").File("opq/sub/old3", "old")
            .Dir("files").File("files/hello.txt", "hello")
            .Dir("replace").Dir("replace/d2f").File("replace/d2f/c1", "c").File("replace/f2d", "f")
            .Dir("replace/d2s").File("replace/d2s/hello.txt", "inner")
            .Dir("hard").File("hard/a", "shared").HardLink("hard/b", "hard/a").HardLink("hard/c", "hard/a")
            .File("hard/p", "pq", mode: 0b111_101_101).HardLink("hard/q", "hard/p").HardLink("hard/r", "hard/p")
            .Dir("names", mode: 0b111_101_000, uid: 5, gid: 6, mtime: T0).File("names/n1", "1")
            .Dir("xattr").File("xattr/f", "x", xattrs: new() { ["user.color"] = "blue", ["user.size"] = "10" })
            .Dir("dev").Device("dev/null", block: false, 1, 3).Device("dev/loop0", block: true, 7, 0).Fifo("dev/pipe")
            .File("perm", "p", mode: 0b100_111_101_101, uid: 1000, gid: 1000)
            .Symlink("link", "etc/keep");
        var l1 = new LayerSpec()
            .Dir("etc").Whiteout("etc/a").File("etc/b", "b1").File("etc/new", "new").Whiteout("etc/new")
            .Whiteout("gone")
            .Opaque("opq").Dir("opq").File("opq/new1", "n").Dir("opq/sub").File("opq/sub/new3", "n")
            .Dir("replace").File("replace/d2f", "now a file").Whiteout("replace/d2f/c1")
            .Symlink("replace/d2s", "../files").Whiteout("replace/d2s/hello.txt")
            .Dir("replace/f2d").File("replace/f2d/child", "c")
            .Dir("hard").Whiteout("hard/b").Whiteout("hard/r")
            .File("names/n2", "2");
        var l2 = new LayerSpec()
            .Dir("gone", mode: 0b111_000_000)
            .Whiteout("opq/new1")
            .File("hard/c", "replaced");
        _store.Add("test/app:1", l0, l1, l2);
        _fs = _store.FileSystem();
        _tree = new DirectTree(_fs);
    }

    public void Dispose()
    {
        _fs.Dispose();
        _store.Dispose();
    }

    [Fact]
    public void A_whiteout_hides_the_lower_entry_and_an_upper_file_replaces_it()
    {
        Assert.Equal(["b", "keep", "new"], _tree.Names($"{Rootfs}/etc"));
        Assert.False(_tree.Exists($"{Rootfs}/etc/a"));
        Assert.Equal("b1", _tree.Text($"{Rootfs}/etc/b"));
    }

    [Fact]
    public void A_whiteout_never_hides_an_entry_of_its_own_layer()
    {
        Assert.Equal("new", _tree.Text($"{Rootfs}/etc/new"));
    }

    [Fact]
    public void A_whited_out_directory_comes_back_empty_when_an_upper_layer_recreates_it()
    {
        Assert.Empty(_tree.Names($"{Rootfs}/gone"));
        Assert.Equal(Tree.Attributes.Directory | 0b111_000_000u, _tree.Stat($"{Rootfs}/gone").Mode);
    }

    [Fact]
    public void An_opaque_directory_cuts_the_lower_layers_before_its_own_entries()
    {
        // opq/new1 came with the opaque layer and went with a later whiteout; sub is the opaque layer's own.
        Assert.Equal(["sub"], _tree.Names($"{Rootfs}/opq"));
        Assert.Equal(["new3"], _tree.Names($"{Rootfs}/opq/sub"));
        Assert.False(_tree.Exists($"{Rootfs}/opq/old1"));
        Assert.False(_tree.Exists($"{Rootfs}/opq/sub/old3"));
    }

    [Fact]
    public void A_later_type_replaces_an_earlier_one_with_its_whole_subtree()
    {
        Assert.Equal(Tree.Attributes.Regular, _tree.Stat($"{Rootfs}/replace/d2f").Mode & Tree.Attributes.TypeMask);
        Assert.Equal("now a file", _tree.Text($"{Rootfs}/replace/d2f"));
        Assert.Equal(["child"], _tree.Names($"{Rootfs}/replace/f2d"));
        Assert.Equal("../files", _tree.ReadLink($"{Rootfs}/replace/d2s"));
    }

    [Fact]
    public void A_whiteout_below_a_symlink_of_its_own_layer_is_not_followed()
    {
        // umoci unpack deletes files/hello.txt here (it resolves replace/d2s/.wh.hello.txt through the symlink).
        Assert.Equal("hello", _tree.Text($"{Rootfs}/files/hello.txt"));
    }

    [Fact]
    public void No_whiteout_name_is_ever_shown_or_found_in_a_rootfs()
    {
        var stack = new Stack<string>([Rootfs]);
        var seen = 0;
        while (stack.Count > 0)
        {
            var dir = stack.Pop();
            foreach (var (name, _, type) in _tree.ReadDir(dir))
            {
                if (name is "." or "..")
                    continue;
                seen++;
                Assert.False(name.StartsWith(".wh.", StringComparison.Ordinal), $"{dir}/{name}");
                if (type == Tree.Attributes.Directory)
                    stack.Push($"{dir}/{name}");
            }
        }
        Assert.True(seen > 20);
        Assert.Equal(Errno.ENOENT, _tree.TryLookup($"{Rootfs}/etc/.wh.a", out _));
        Assert.Equal(Errno.ENOENT, _tree.TryLookup($"{Rootfs}/opq/.wh..wh..opq", out _));
    }

    [Fact]
    public void Diff_shows_a_layer_exactly_as_its_tar_holds_it()
    {
        var chain = _tree.ReadLink("images/test/app:1/layers/1").Split('/')[^1];
        Assert.Equal([".wh.a", ".wh.new", "b", "new"], _tree.Names($"layers/{chain}/diff/etc"));
        Assert.Equal([".wh..wh..opq", "new1", "sub"], _tree.Names($"layers/{chain}/diff/opq"));
        Assert.Contains(".wh.gone", _tree.Names($"layers/{chain}/diff"));
        Assert.Equal(0u, _tree.Stat($"layers/{chain}/diff/etc/.wh.a").Size);
    }

    [Fact]
    public void A_directory_the_layer_only_implies_keeps_the_lower_metadata()
    {
        var names = _tree.Stat($"{Rootfs}/names");
        Assert.Equal(Tree.Attributes.Directory | 0b111_101_000u, names.Mode);
        Assert.Equal((5u, 6u), (names.Uid, names.Gid));
        Assert.Equal(T0.ToUnixTimeSeconds(), names.MTime);
        Assert.Equal(123456700u, names.MTimeNsec);
        Assert.Equal(["n1", "n2"], _tree.Names($"{Rootfs}/names"));
    }

    [Fact]
    public void Attributes_survive()
    {
        var perm = _tree.Stat($"{Rootfs}/perm");
        Assert.Equal(Tree.Attributes.Regular | 0b100_111_101_101u, perm.Mode);
        Assert.Equal((1000u, 1000u, 1ul), (perm.Uid, perm.Gid, perm.Size));
        var dev = _tree.Stat($"{Rootfs}/dev/null");
        Assert.Equal(Tree.Attributes.CharDevice, dev.Mode & Tree.Attributes.TypeMask);
        Assert.Equal((1u << 8) | 3u, dev.RDev);
        Assert.Equal(Tree.Attributes.BlockDevice, _tree.Stat($"{Rootfs}/dev/loop0").Mode & Tree.Attributes.TypeMask);
        Assert.Equal(7u << 8, _tree.Stat($"{Rootfs}/dev/loop0").RDev);
        Assert.Equal(Tree.Attributes.Fifo, _tree.Stat($"{Rootfs}/dev/pipe").Mode & Tree.Attributes.TypeMask);
        var link = _tree.Stat($"{Rootfs}/link");
        Assert.Equal(Tree.Attributes.Symlink | 0b111_111_111u, link.Mode);
        Assert.Equal((ulong)"etc/keep".Length, link.Size);
        Assert.Equal("etc/keep", _tree.ReadLink($"{Rootfs}/link"));
    }

    [Fact]
    public void Xattrs_are_those_of_the_tar_records()
    {
        var xattrs = _tree.Xattrs($"{Rootfs}/xattr/f");
        Assert.Equal(["user.color", "user.size"], xattrs.Keys.Order());
        Assert.Equal("blue"u8.ToArray(), xattrs["user.color"]);
        Assert.Empty(_tree.Xattrs($"{Rootfs}/etc/b"));
    }

    [Fact]
    public void Hard_links_share_one_inode_and_count_only_the_names_visible_in_the_rootfs()
    {
        // hard/{a,b,c}: b whited out, c replaced by a file: a stands alone.
        var a = _tree.Stat($"{Rootfs}/hard/a");
        Assert.Equal(1u, a.NLink);
        Assert.NotEqual(a.Ino, _tree.Stat($"{Rootfs}/hard/c").Ino);
        Assert.Equal("replaced", _tree.Text($"{Rootfs}/hard/c"));
        // hard/{p,q,r}: r whited out.
        var p = _tree.Stat($"{Rootfs}/hard/p");
        var q = _tree.Stat($"{Rootfs}/hard/q");
        Assert.Equal(p.Ino, q.Ino);
        Assert.Equal((2u, 2u), (p.NLink, q.NLink));
        Assert.Equal(Tree.Attributes.Regular | 0b111_101_101u, q.Mode);
        Assert.Equal("pq", _tree.Text($"{Rootfs}/hard/q"));
        // In the bottom layer alone, and in its diff, the groups are whole.
        var bottom = _tree.ReadLink("images/test/app:1/layers/0").Split('/')[^1];
        Assert.Equal(3u, _tree.Stat($"layers/{bottom}/rootfs/hard/b").NLink);
        Assert.Equal(3u, _tree.Stat($"layers/{bottom}/diff/hard/r").NLink);
        Assert.Equal(_tree.Stat($"layers/{bottom}/diff/hard/p").Ino, _tree.Stat($"layers/{bottom}/diff/hard/r").Ino);
    }

    [Fact]
    public void Inode_numbers_agree_between_lookup_readdir_and_readdirplus_and_across_remounts()
    {
        var dir = $"{Rootfs}/hard";
        var listed = _tree.ReadDir(dir).Where(e => e.Name is not "." and not "..").ToDictionary(e => e.Name, e => e.Ino);
        var plus = _tree.ReadDirPlus(dir).Where(e => e.Name is not "." and not "..").ToDictionary(e => e.Name, e => e.Entry);
        Assert.Equal(["a", "c", "p", "q"], listed.Keys.Order());
        foreach (var (name, ino) in listed)
        {
            var stat = _tree.Stat($"{dir}/{name}");
            Assert.Equal(ino, stat.Ino);
            Assert.Equal(ino, plus[name].Attr.Ino);
            Assert.Equal(stat.Mode, plus[name].Attr.Mode);
            Assert.Equal(stat.NLink, plus[name].Attr.NLink);
        }
        using var again = _store.FileSystem();
        var remounted = new DirectTree(again);
        foreach (var (name, ino) in listed)
            Assert.Equal(ino, remounted.Stat($"{dir}/{name}").Ino);
        Assert.Equal(_tree.Stat(Rootfs).Ino, remounted.Stat(Rootfs).Ino);
    }

    [Fact]
    public void The_image_rootfs_and_the_top_chain_rootfs_show_the_same_inodes_as_different_nodes()
    {
        var top = _tree.ReadLink("images/test/app:1/layers/2").Split('/')[^1];
        var viaImage = _tree.Lookup($"{Rootfs}/etc");
        var viaChain = _tree.Lookup($"layers/{top}/rootfs/etc");
        Assert.Equal(viaImage.Attr.Ino, viaChain.Attr.Ino);
        Assert.NotEqual(viaImage.NodeId, viaChain.NodeId);
        // A diff and a rootfs never share numbers.
        var bottom = _tree.ReadLink("images/test/app:1/layers/0").Split('/')[^1];
        Assert.NotEqual(_tree.Stat($"layers/{bottom}/diff/etc/keep").Ino, _tree.Stat($"layers/{bottom}/rootfs/etc/keep").Ino);
    }

    [Fact]
    public void Each_chain_rootfs_is_its_layer_stacked_on_its_parents()
    {
        var middle = _tree.ReadLink("images/test/app:1/layers/1").Split('/')[^1];
        Assert.Equal(["new1", "sub"], _tree.Names($"layers/{middle}/rootfs/opq"));
        Assert.False(_tree.Exists($"layers/{middle}/rootfs/gone"));
        Assert.Equal("shared", _tree.Text($"layers/{middle}/rootfs/hard/c"));
        Assert.Equal(2u, _tree.Stat($"layers/{middle}/rootfs/hard/a").NLink);
    }

    [Fact]
    public void Lookups_are_given_back_and_nodes_dropped_on_forget()
    {
        var before = _fs.NodeCount;
        _tree.Names($"{Rootfs}/etc");
        _tree.ReadDirPlus($"{Rootfs}/hard");
        _tree.Stat($"{Rootfs}/opq/sub/new3");
        Assert.True(_fs.NodeCount > before + 8);
        _tree.ForgetAll();
        Assert.Equal(before, _fs.NodeCount);
    }

    [Fact]
    public void Negative_lookups_in_layer_trees_are_cached_by_the_kernel()
    {
        var rootfs = _tree.Node(Rootfs);
        var ctx = new FuseRequestContext(1, 0, 0, 1, CancellationToken.None);
        Assert.Equal(0, _fs.Lookup(ctx, rootfs, "missing"u8, out var entry));
        Assert.Equal(0ul, entry.NodeId);
        Assert.True(entry.EntryTimeout > TimeSpan.FromHours(1));
        // images/ follows the index: a missing tag is ENOENT, cached by nobody.
        Assert.Equal(Errno.ENOENT, _fs.Lookup(ctx, _tree.Node("images"), "nope:1"u8, out _));
    }

    [Fact]
    public void Everything_is_read_only()
    {
        var ctx = new FuseRequestContext(1, 0, 0, 1, CancellationToken.None);
        var file = _tree.Node($"{Rootfs}/etc/b");
        var open = FuseOpenOut.Create();
        Assert.Equal(Errno.EROFS, _fs.Open(ctx, file, 2, ref open));
        Assert.Equal(Errno.EROFS, _fs.MkDir(ctx, _tree.Node(Rootfs), "x"u8, 0x1ed, 0, out _));
        Assert.Equal(Errno.EROFS, _fs.Unlink(ctx, _tree.Node($"{Rootfs}/etc"), "b"u8));
        Assert.Equal(Errno.EROFS, _fs.SetXattr(ctx, file, "user.x"u8, "1"u8, 0));
    }
}
