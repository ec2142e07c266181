using LayerFs.Store;
using LayerFs.Store.Views;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Store.Tests;

/// <summary>
/// The naive tree diff a devicemapper view's `diff` and `commit` rest on: an "image" directory, a
/// `cp -a` copy of it standing for the view, changes made to the copy with ordinary tools.
/// </summary>
public sealed class TreeComparisonTests : IDisposable
{
    private readonly TempDir _dir = new("layerfs-treediff");

    public TreeComparisonTests()
    {
        Shell("""
            mkdir -p image/etc image/bin image/var/lib/apt image/home/user
            echo root:x:0:0 > image/etc/passwd
            echo hello > image/etc/motd
            printf 'binary' > image/bin/tool
            ln -s tool image/bin/alias
            echo one > image/var/lib/apt/state
            echo linked > image/bin/a
            ln image/bin/a image/bin/b
            chmod 755 image/bin/tool
            touch -d '2020-01-02 03:04:05.123456789' image/etc/passwd image/etc/motd
            cp -a image view
            """);
    }

    private string Image => _dir.Combine("image");
    private string View => _dir.Combine("view");

    private void Shell(string script) => ProcessRunner.Shell("set -e\n" + script, cwd: _dir.Path).EnsureSuccess();

    private List<string> Diff(DateTimeOffset? untouchedBefore = null) =>
        TreeComparison.Compare(Image, View, untouchedBefore)
            .Select(c => $"{c.Kind.ToString()[0]} {c.Path}")
            .ToList();

    [Fact]
    public void An_unchanged_copy_has_no_changes()
    {
        Assert.Empty(Diff());
    }

    [Fact]
    public void Additions_deletions_and_changes_are_listed_parents_first_like_docker_diff()
    {
        Shell("""
            echo new > view/etc/new
            mkdir -p view/opt/app && echo x > view/opt/app/run
            rm -r view/var/lib
            chmod 700 view/home/user
            chown 1000:1000 view/etc/motd && touch -r image/etc/motd view/etc/motd
            echo more >> view/bin/tool
            ln -sfn other view/bin/alias
            """);
        var changes = TreeComparison.Compare(Image, View);
        Assert.Equal(
            ["C bin", "C bin/alias", "C bin/tool", "C etc", "C etc/motd", "A etc/new", "C home/user", "A opt", "A opt/app", "A opt/app/run", "C var", "D var/lib"],
            changes.Select(c => $"{c.Kind.ToString()[0]} {c.Path}"));
        // Added and changed entries point into the view; deleted ones point nowhere.
        Assert.All(changes.Where(c => c.Kind != ViewChangeKind.Deleted), c => Assert.Equal(Path.Combine(View, c.Path), c.SourcePath));
        Assert.Null(changes.Single(c => c.Kind == ViewChangeKind.Deleted).SourcePath);
    }

    [Fact]
    public void A_deleted_directory_is_listed_once_and_a_replaced_type_hides_what_was_below()
    {
        Shell("""
            rm -r view/var
            rm -r view/home && echo file > view/home
            rm view/etc/motd && mkdir view/etc/motd && echo in > view/etc/motd/inner
            """);
        Assert.Equal(["C etc", "C etc/motd", "A etc/motd/inner", "C home", "D var"], Diff());
    }

    [Fact]
    public void Xattr_and_mtime_changes_count_atime_does_not()
    {
        Shell("""
            setfattr -n user.note -v hi view/etc/passwd
            touch -d '2021-01-01' view/etc/motd
            touch -a -d '2022-01-01' view/bin/tool
            """);
        Assert.Equal(["C etc/motd", "C etc/passwd"], Diff());
    }

    [Fact]
    public void Content_rewritten_with_the_old_size_and_mtime_is_found_unless_the_file_is_older_than_the_bound()
    {
        Shell("printf 'HELLO\\n' > view/etc/motd && touch -r image/etc/motd view/etc/motd");
        // The write set the view file's ctime: without a bound, or with one before the write, its bytes are read.
        Assert.Equal(["C etc/motd"], Diff());
        Assert.Equal(["C etc/motd"], Diff(DateTimeOffset.UtcNow.AddMinutes(-5)));
        // A bound after its ctime says the file is the image's own copy: it is trusted, not read.
        Assert.Empty(Diff(DateTimeOffset.UtcNow.AddMinutes(5)));
    }

    [Fact]
    public void A_new_hard_link_lists_every_name_of_the_group()
    {
        Shell("ln view/etc/passwd view/etc/passwd-link");
        Assert.Equal(["C etc", "C etc/passwd", "A etc/passwd-link"], Diff());
    }

    [Fact]
    public void A_hard_link_broken_by_an_identical_copy_is_a_change_of_both_names()
    {
        Shell("cp -a view/bin/b view/bin/b.copy && mv view/bin/b.copy view/bin/b");
        var diff = Diff();
        Assert.Contains("C bin/a", diff);
        Assert.Contains("C bin/b", diff);
    }

    [Fact]
    public void Paths_sort_by_component_so_a_directory_precedes_its_contents()
    {
        Assert.True(TreeComparison.ComparePaths("a", "a/b") < 0);
        Assert.True(TreeComparison.ComparePaths("a/b", "a-c") < 0);
        Assert.True(TreeComparison.ComparePaths("a/b/c", "a/c") < 0);
        Assert.Equal(0, TreeComparison.ComparePaths("x/y", "x/y"));
    }

    [Fact]
    public void A_name_that_is_not_utf8_is_an_error_not_a_wrong_path()
    {
        Shell("touch \"view/etc/$(printf 'bad\\377name')\"");
        var e = Assert.Throws<StoreException>(() => Diff());
        Assert.Contains("not UTF-8", e.Message);
    }

    public void Dispose() => _dir.Dispose();
}
