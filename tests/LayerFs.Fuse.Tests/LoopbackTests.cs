using System.Runtime.InteropServices;
using System.Text;
using LayerFs.Fuse.Tests.Interop;
using LayerFs.Fuse.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace LayerFs.Fuse.Tests;

/// <summary>
/// The Loopback example mounted for real (a child process with passthrough on unless stated): what a
/// program sees through the mount must be what it sees in the source directory.
/// </summary>
public sealed class LoopbackTests
{
    private readonly ITestOutputHelper output;

    public LoopbackTests(ITestOutputHelper output) => this.output = output;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Listing_and_stat_of_every_entry_match_the_source(bool passthrough)
    {
        using var fx = Start(passthrough);
        Assert.Equal(SourceTree.Describe(fx.Source), SourceTree.Describe(fx.MountPoint));
        var ls = "ls -la --time-style=full-iso";
        foreach (var dir in new[] { "deep", "links", "many", "big" })
            Assert.Equal(Shell.Ok($"{ls} {Shell.Quote(fx.InSource(dir))}"), Shell.Ok($"{ls} {Shell.Quote(fx.InMount(dir))}"));
        Assert.Equal(
            Shell.Ok($"stat -c '%s %b %f %h %i %u %g %X %Y %Z' {Shell.Quote(fx.InSource("odd-size"))}"),
            Shell.Ok($"stat -c '%s %b %f %h %i %u %g %X %Y %Z' {Shell.Quote(fx.InMount("odd-size"))}"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void File_contents_read_through_the_mount_are_the_source_bytes(bool passthrough)
    {
        using var fx = Start(passthrough);
        var sums = "find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum";
        Assert.Equal(Shell.Ok(sums, fx.Source), Shell.Ok(sums, fx.MountPoint));
        Assert.Equal(Shell.Ok($"cat {Shell.Quote(fx.InSource("small.txt"))} | od -c"), Shell.Ok($"cat {Shell.Quote(fx.InMount("small.txt"))} | od -c"));
    }

    [Fact]
    public void Copy_out_with_cp_a_keeps_modes_times_owners_links_and_xattrs()
    {
        using var fx = Start(passthrough: true);
        var outside = fx.Scratch("copy");
        Shell.Ok($"cp -a {Shell.Quote(fx.MountPoint)}/. {Shell.Quote(outside)}/");
        Assert.Equal(SourceTree.Describe(fx.Source, withInodes: false, withCtime: false), SourceTree.Describe(outside, withInodes: false, withCtime: false));
        Assert.Equal(SourceTree.Xattrs(fx.Source), SourceTree.Xattrs(outside));
        // cp -a recreates hard links only if the mount reports one inode number for them.
        Assert.Equal(
            Shell.Ok("stat -c %i links/original", outside),
            Shell.Ok("stat -c %i links/hardlink", outside));
        Assert.Equal(Shell.Ok("stat -c %i links/original", outside), Shell.Ok("stat -c %i deep/hardlink-elsewhere", outside));
    }

    [Fact]
    public void Copy_in_with_cp_a_writes_the_same_tree_into_the_source()
    {
        using var fx = Start(passthrough: true);
        var other = fx.Scratch("other");
        SourceTree.Create(other);
        var target = fx.InMount("incoming");
        Shell.Ok($"mkdir {Shell.Quote(target)} && cp -a {Shell.Quote(other)}/. {Shell.Quote(target)}/");
        Assert.Equal(SourceTree.Describe(other, withInodes: false, withCtime: false), SourceTree.Describe(fx.InSource("incoming"), withInodes: false, withCtime: false));
        Assert.Equal(SourceTree.Xattrs(other), SourceTree.Xattrs(fx.InSource("incoming")));
        var sums = "find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum";
        Assert.Equal(Shell.Ok(sums, other), Shell.Ok(sums, fx.InSource("incoming")));
        // And what the mount shows of it agrees with the source, inode numbers included.
        Assert.Equal(SourceTree.Describe(fx.InSource("incoming")), SourceTree.Describe(target));
    }

    [Fact]
    public void Hard_links_share_one_inode_number_and_count_their_names()
    {
        using var fx = Start(passthrough: true);
        string Stat(string root, string rel) => Shell.Ok($"stat -c '%i %h' {Shell.Quote(Path.Combine(root, rel))}").Trim();

        Assert.Equal(Stat(fx.Source, "links/original"), Stat(fx.MountPoint, "links/hardlink"));
        Assert.EndsWith(" 3", Stat(fx.MountPoint, "links/original"), StringComparison.Ordinal);

        Shell.Ok($"ln {Shell.Quote(fx.InMount("small.txt"))} {Shell.Quote(fx.InMount("deep/small-link"))}");
        Assert.EndsWith(" 2", Stat(fx.MountPoint, "small.txt"), StringComparison.Ordinal);
        Assert.Equal(Stat(fx.MountPoint, "small.txt"), Stat(fx.MountPoint, "deep/small-link"));
        Assert.Equal(Stat(fx.Source, "small.txt"), Stat(fx.MountPoint, "deep/small-link"));

        Shell.Ok($"rm {Shell.Quote(fx.InMount("links/hardlink"))} {Shell.Quote(fx.InMount("deep/hardlink-elsewhere"))}");
        Assert.EndsWith(" 1", Stat(fx.MountPoint, "links/original"), StringComparison.Ordinal);
        Assert.False(File.Exists(fx.InSource("links/hardlink")));
        Assert.Equal(Stat(fx.Source, "links/original"), Stat(fx.MountPoint, "links/original"));
    }

    [Fact]
    public void Symlinks_read_create_and_resolve_as_in_the_source()
    {
        using var fx = Start(passthrough: true);
        foreach (var link in new[] { "relative-symlink", "absolute-symlink", "dangling-symlink", "dir-symlink" })
            Assert.Equal(Shell.Ok($"readlink {Shell.Quote(fx.InSource("links/" + link))}"), Shell.Ok($"readlink {Shell.Quote(fx.InMount("links/" + link))}"));
        Assert.Equal(Shell.Ok($"cat {Shell.Quote(fx.InSource("links/relative-symlink"))} | sha256sum"), Shell.Ok($"cat {Shell.Quote(fx.InMount("links/relative-symlink"))} | sha256sum"));
        Assert.Equal(Shell.Ok("ls links/dir-symlink/", fx.Source), Shell.Ok("ls links/dir-symlink/", fx.MountPoint));

        Shell.Ok("ln -s ../small.txt deep/new-link && ln -s 'target with spaces' deep/odd-link", fx.MountPoint);
        Assert.Equal("../small.txt\n", Shell.Ok("readlink deep/new-link", fx.Source));
        Assert.Equal("target with spaces\n", Shell.Ok("readlink deep/odd-link", fx.Source));
        Assert.Equal(Shell.Ok("stat -L -c '%s %i' deep/new-link", fx.Source), Shell.Ok("stat -L -c '%s %i' deep/new-link", fx.MountPoint));
        var dangling = Shell.Run("cat links/dangling-symlink", fx.MountPoint);
        Assert.Contains("No such file or directory", dangling.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Extended_attributes_go_both_ways()
    {
        using var fx = Start(passthrough: true);
        Assert.Equal(SourceTree.Xattrs(fx.Source), SourceTree.Xattrs(fx.MountPoint));

        var value = new string('v', 4000);
        Shell.Ok($"setfattr -n user.big -v {value} small.txt && setfattr -n user.dir -v d deep && setfattr -x user.comment small.txt", fx.MountPoint);
        Assert.Equal($"\"{value}\"", Shell.Ok("getfattr --only-values -n user.big small.txt | sed 's/^/\"/; s/$/\"/'", fx.Source).Trim());
        Assert.Contains("user.dir=\"d\"", Shell.Ok("getfattr -d deep", fx.Source), StringComparison.Ordinal);
        Assert.DoesNotContain("user.comment", Shell.Ok("getfattr -d small.txt", fx.Source), StringComparison.Ordinal);

        Shell.Ok("setfattr -n user.from-source -v s odd-size", fx.Source);
        Assert.Contains("user.from-source=\"s\"", Shell.Ok("getfattr -d odd-size", fx.MountPoint), StringComparison.Ordinal);
        var missing = Shell.Run("getfattr -n user.nothing small.txt", fx.MountPoint);
        Assert.Contains("No such attribute", missing.Stderr, StringComparison.Ordinal);
        var create = Shell.Run("python3 -c \"import os; os.setxattr('small.txt', 'user.big', b'x', os.XATTR_CREATE)\"", fx.MountPoint);
        Assert.Contains("File exists", create.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Mmap_reads_and_shared_writes_reach_the_source(bool passthrough)
    {
        using var fx = Start(passthrough);
        var script = """
            import mmap, sys, hashlib
            with open(sys.argv[1], 'rb') as f:
                m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
                print(hashlib.sha256(m[:]).hexdigest())
            with open(sys.argv[2], 'r+b') as f:
                m = mmap.mmap(f.fileno(), 0)
                m[0:5] = b'MMAP!'
                m[4096:4100] = b'page'
                m.flush()
                m.close()
            """;
        File.WriteAllText(Path.Combine(fx.Scratch("py"), "mmap_test.py"), script);
        var py = Path.Combine(fx.Scratch("py"), "mmap_test.py");
        var digest = Shell.Ok($"python3 {py} {Shell.Quote(fx.InMount("big/eight-mib"))} {Shell.Quote(fx.InMount("odd-size"))}").Trim();
        Assert.Equal(SourceTree.Sha256(fx.InSource("big/eight-mib")), digest);
        var bytes = File.ReadAllBytes(fx.InSource("odd-size"));
        Assert.Equal("MMAP!", Encoding.ASCII.GetString(bytes, 0, 5));
        Assert.Equal("page", Encoding.ASCII.GetString(bytes, 4096, 4));
    }

    [Fact]
    public void Rename_honours_noreplace_and_exchange()
    {
        using var fx = Start(passthrough: true);
        string M(string rel) => fx.InMount(rel);
        string Sum(string path) => SourceTree.Sha256(path);
        var smallSum = Sum(fx.InSource("small.txt"));
        var pageSum = Sum(fx.InSource("page-4096"));

        Deadline.Run(() =>
        {
            Assert.Equal(-1, Libc.Renameat2(Libc.AT_FDCWD, M("small.txt"), Libc.AT_FDCWD, M("page-4096"), Libc.RENAME_NOREPLACE));
            Assert.Equal(Errno.EEXIST, Marshal.GetLastPInvokeError());
        });
        Assert.Equal(smallSum, Sum(fx.InSource("small.txt")));
        Assert.Equal(pageSum, Sum(fx.InSource("page-4096")));

        Deadline.Run(() => Assert.Equal(0, Libc.Renameat2(Libc.AT_FDCWD, M("small.txt"), Libc.AT_FDCWD, M("deep/moved.txt"), Libc.RENAME_NOREPLACE)));
        Assert.False(File.Exists(fx.InSource("small.txt")));
        Assert.Equal(smallSum, Sum(fx.InSource("deep/moved.txt")));

        Deadline.Run(() => Assert.Equal(0, Libc.Renameat2(Libc.AT_FDCWD, M("deep/moved.txt"), Libc.AT_FDCWD, M("page-4096"), Libc.RENAME_EXCHANGE)));
        Assert.Equal(smallSum, Sum(fx.InSource("page-4096")));
        Assert.Equal(pageSum, Sum(fx.InSource("deep/moved.txt")));
        Assert.Equal(smallSum, Sum(M("page-4096")));
        Assert.Equal(pageSum, Sum(M("deep/moved.txt")));

        // A file and a directory trade places.
        Deadline.Run(() => Assert.Equal(0, Libc.Renameat2(Libc.AT_FDCWD, M("empty"), Libc.AT_FDCWD, M("empty-dir"), Libc.RENAME_EXCHANGE)));
        Assert.True(Directory.Exists(fx.InSource("empty")) && File.Exists(fx.InSource("empty-dir")));
        Assert.True(Deadline.Run(() => Directory.Exists(M("empty")) && File.Exists(M("empty-dir"))));

        Deadline.Run(() =>
        {
            Assert.Equal(-1, Libc.Renameat2(Libc.AT_FDCWD, M("no-such-file"), Libc.AT_FDCWD, M("deep/x"), Libc.RENAME_EXCHANGE));
            Assert.Equal(Errno.ENOENT, Marshal.GetLastPInvokeError());
        });
        Assert.Equal(SourceTree.Describe(fx.Source), SourceTree.Describe(fx.MountPoint));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Concurrent_readers_on_many_threads_get_the_right_bytes(bool passthrough)
    {
        using var fx = Start(passthrough, "--threads", "4");
        var files = new[] { "big/eight-mib", "odd-size", "links/original", "page-4096" };
        var expected = files.ToDictionary(f => f, f => File.ReadAllBytes(fx.InSource(f)));
        var failures = 0;
        Deadline.Run(() => Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 16 }, t =>
        {
            var rng = new Random(t);
            foreach (var f in files)
            {
                using var s = new FileStream(fx.InMount(f), FileMode.Open, FileAccess.Read, FileShare.Read, 1);
                var want = expected[f];
                for (var i = 0; i < 40; i++)
                {
                    var offset = rng.Next(0, want.Length);
                    var length = Math.Min(rng.Next(1, 300_000), want.Length - offset);
                    var buffer = new byte[length];
                    s.Position = offset;
                    s.ReadExactly(buffer);
                    if (!buffer.AsSpan().SequenceEqual(want.AsSpan(offset, length)))
                        Interlocked.Increment(ref failures);
                }
            }
        }));
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Writes_creates_and_removals_through_the_mount_land_in_the_source()
    {
        using var fx = Start(passthrough: true);
        Shell.Ok("""
            head -c 50000000 /dev/urandom > written.bin
            printf 'appended' >> small.txt
            mkdir -p new/dir && echo hi > new/dir/file && chmod 0640 new/dir/file
            mkfifo new/fifo
            truncate -s 123456 odd-size
            fallocate -l 1048576 preallocated
            touch -d '2010-01-01 00:00:00' new/dir/file
            rm -r many
            rmdir empty-dir
            mv deep new/deep-moved
            """, fx.MountPoint);
        Assert.Equal(SourceTree.Sha256(fx.InMount("written.bin")), SourceTree.Sha256(fx.InSource("written.bin")));
        Assert.EndsWith("appended", File.ReadAllText(fx.InSource("small.txt"), Encoding.Latin1), StringComparison.Ordinal);
        Assert.Equal("fifo 123456 1048576 640", Shell.Ok("echo $(stat -c %F new/fifo) $(stat -c %s odd-size) $(stat -c %s preallocated) $(stat -c %a new/dir/file)", fx.Source).Trim());
        Assert.False(Directory.Exists(fx.InSource("many")));
        Assert.True(Directory.Exists(fx.InSource("new/deep-moved/a/b")));
        Assert.Equal(SourceTree.Describe(fx.Source), SourceTree.Describe(fx.MountPoint));
        // statfs reports the source's filesystem.
        Assert.Equal(Shell.Ok($"stat -f -c '%b %c %s %S %l' {Shell.Quote(fx.Source)}"), Shell.Ok($"stat -f -c '%b %c %s %S %l' {Shell.Quote(fx.MountPoint)}"));
    }

    [Fact]
    public void Sparse_files_seek_to_data_and_holes_as_in_the_source()
    {
        using var fx = Start(passthrough: false);
        Shell.Ok("truncate -s 10M sparse && printf data | dd of=sparse bs=1 seek=5242880 conv=notrunc status=none", fx.Source);
        var script = "import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); print(os.lseek(fd, 0, os.SEEK_DATA), os.lseek(fd, 5242880, os.SEEK_HOLE))";
        Assert.Equal(Shell.Ok($"python3 -c '{script}' sparse", fx.Source), Shell.Ok($"python3 -c '{script}' sparse", fx.MountPoint));
    }

    [Fact]
    public void With_passthrough_the_kernel_reads_files_without_asking_the_daemon()
    {
        using var fx = Start(passthrough: true, "--log-level", "verbose");
        Shell.Ok("cat big/eight-mib odd-size > /dev/null", fx.MountPoint);
        fx.Daemon.Dispose();
        var log = fx.Daemon.Log;
        Assert.Contains("Passthrough", log, StringComparison.Ordinal);
        Assert.Matches(@"tx \d+: OK \{Fh \d+ Passthrough backing \d+\}", log);
        Assert.DoesNotMatch(@"rx \d+: READ i", log);
        Assert.Matches(@"rx \d+: LOOKUP i\d+ \[""big""\]", log);
    }

    [Fact]
    public void Without_passthrough_reads_go_through_the_daemon()
    {
        using var fx = Start(passthrough: false, "--log-level", "verbose");
        Shell.Ok("cat big/eight-mib > /dev/null", fx.MountPoint);
        fx.Daemon.Dispose();
        Assert.Matches(@"rx \d+: READ i\d+ \{Fh \d+ \[0 \+\d+\)\}", fx.Daemon.Log);
        Assert.DoesNotContain("backing", fx.Daemon.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_stay_reachable_through_renames_links_and_unlinks_of_their_names()
    {
        using var fx = Start(passthrough: false);
        var original = SourceTree.Sha256(fx.InSource("links/original"));
        var leaf = SourceTree.Sha256(fx.InSource("deep/a/b/c/d/e/f/leaf"));
        Shell.Ok("""
            cat links/original deep/a/b/c/d/e/f/leaf > /dev/null
            ln links/original only-name
            rm links/original links/hardlink deep/hardlink-elsewhere
            """, fx.MountPoint);
        Assert.Equal(original, SourceTree.Sha256(fx.InMount("only-name")));
        Shell.Ok("mv only-name deep/renamed && mv deep moved-deep", fx.MountPoint);
        Assert.Equal(original, SourceTree.Sha256(fx.InMount("moved-deep/renamed")));
        Assert.Equal(leaf, SourceTree.Sha256(fx.InMount("moved-deep/a/b/c/d/e/f/leaf")));
        Shell.Ok("chmod 0604 moved-deep/renamed && touch -d '2020-02-02' moved-deep/renamed && setfattr -n user.after -v move moved-deep/renamed", fx.MountPoint);
        Assert.Equal("604 1580601600 1", Shell.Ok("stat -c '%a %Y %h' moved-deep/renamed", fx.Source).Trim());
        Assert.Contains("user.after=\"move\"", Shell.Ok("getfattr -d moved-deep/renamed", fx.Source), StringComparison.Ordinal);
        Assert.Equal(SourceTree.Describe(fx.Source), SourceTree.Describe(fx.MountPoint));
    }

    [Fact]
    public void The_daemon_holds_fds_for_directories_only_so_a_tree_of_any_size_fits_the_fd_limit()
    {
        using var fx = Start(passthrough: true);
        Shell.Ok("find . -printf '%p %s %i\\n' > /dev/null && find . -type f ! -name fifo -exec cat {} + > /dev/null", fx.MountPoint);
        var fds = Directory.GetFileSystemEntries($"/proc/{fx.Daemon.Pid}/fd").Length;
        var directories = Directory.GetDirectories(fx.Source, "*", SearchOption.AllDirectories).Length + 1;
        var files = Directory.GetFiles(fx.Source, "*", SearchOption.AllDirectories).Length;
        output.WriteLine($"{fds} fds open in the daemon for {directories} directories and {files} files");
        Assert.True(fds < directories + 100, $"{fds} fds for {directories} directories and {files} files");
    }

    private LoopbackFixture Start(bool passthrough, params string[] more)
    {
        var options = new List<string>(more);
        if (!passthrough)
            options.Add("--no-passthrough");
        var fx = new LoopbackFixture([.. options]);
        output.WriteLine($"loopback {fx.Source} -> {fx.MountPoint} (passthrough {passthrough})");
        return fx;
    }
}
