using System.Text;
using LayerFs.Fuse.Protocol;
using LayerFs.Fuse.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace LayerFs.Fuse.Tests;

/// <summary>
/// The session served in this process (a MemoryFileSystem): INIT, reader threads, ENOSYS memory,
/// lookup counts, interrupts, notifications and ending the session. All I/O on the mount happens on
/// test threads or in child processes, never on a reader thread.
/// </summary>
public sealed class SessionTests
{
    private readonly ITestOutputHelper output;

    public SessionTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public void Init_asks_for_large_requests_parallel_lookups_readdirplus_and_passthrough()
    {
        var fs = new MemoryFileSystem();
        using var mount = new InProcessMount(fs, output);
        var c = mount.Session.Connection;
        Assert.Same(c, fs.Connection);
        Assert.Equal(7u, c.ProtocolMajor);
        Assert.Equal(Math.Min(c.KernelMinor, 40u), c.ProtocolMinor);
        var negotiated = (FuseInitFlags)c.NegotiatedFlags;
        foreach (var wanted in new[]
        {
            FuseInitFlags.AsyncRead, FuseInitFlags.BigWrites, FuseInitFlags.MaxPages, FuseInitFlags.ParallelDirOps,
            FuseInitFlags.DoReadDirPlus, FuseInitFlags.ReadDirPlusAuto, FuseInitFlags.CacheSymlinks,
            FuseInitFlags.ExportSupport, FuseInitFlags.InitExt,
        })
            Assert.True(negotiated.HasFlag(wanted), $"{wanted} was not negotiated ({negotiated})");
        Assert.False(negotiated.HasFlag(FuseInitFlags.WritebackCache));
        Assert.Equal(1024u * 1024, c.MaxWrite);
        Assert.Equal(1024 * 1024 / Environment.SystemPageSize, c.MaxPages);
        // Passthrough whenever the kernel offers it, since these tests run with CAP_SYS_ADMIN.
        var offered = ((FuseInitFlags)c.KernelFlags).HasFlag(FuseInitFlags.Passthrough);
        Assert.Equal(offered, c.PassthroughEnabled);
        Assert.Equal(offered ? 1u : 0u, c.MaxStackDepth); // "/" is not an overlay here
    }

    [Fact]
    public void Writeback_cache_is_never_negotiated_together_with_passthrough()
    {
        using (var both = new InProcessMount(new MemoryFileSystem(), output, o => o.WritebackCache = true))
        {
            var flags = (FuseInitFlags)both.Session.Connection.NegotiatedFlags;
            Assert.True(flags.HasFlag(FuseInitFlags.Passthrough));
            Assert.False(flags.HasFlag(FuseInitFlags.WritebackCache));
        }
        using var writeback = new InProcessMount(new MemoryFileSystem(), output, o =>
        {
            o.WritebackCache = true;
            o.Passthrough = false;
        });
        var noPassthrough = (FuseInitFlags)writeback.Session.Connection.NegotiatedFlags;
        Assert.True(noPassthrough.HasFlag(FuseInitFlags.WritebackCache));
        Assert.False(noPassthrough.HasFlag(FuseInitFlags.Passthrough));
        Assert.False(writeback.Session.Connection.PassthroughEnabled);
    }

    [Fact]
    public void Readdirplus_always_lists_with_attributes_so_a_walk_sends_no_lookups()
    {
        // Timeouts long enough that no answer expires during the walk, however slow the machine.
        var fs = new MemoryFileSystem { Timeout = TimeSpan.FromMinutes(10) };
        var dir = fs.AddDir(fs.Root, "d");
        // Enough names for several READDIRPLUS replies (a page each): with READDIRPLUS_AUTO only
        // the first reply of a listing carries attributes, and the rest are looked up one by one.
        for (var i = 0; i < 200; i++)
            fs.AddFile(dir, $"f{i}", "x");
        using var mount = new InProcessMount(fs, output, o => o.ReadDirPlus = FuseReadDirPlusMode.Always);
        var flags = (FuseInitFlags)mount.Session.Connection.NegotiatedFlags;
        Assert.True(flags.HasFlag(FuseInitFlags.DoReadDirPlus));
        Assert.False(flags.HasFlag(FuseInitFlags.ReadDirPlusAuto));

        // find's walk: list each directory, stat every name; the listing carried every answer.
        var listed = Shell.Ok($"find {Shell.Quote(mount.MountPoint)} -printf '%i %s %p\\n'");
        Assert.Equal(202, listed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.True(fs.Calls.GetValueOrDefault("readdirplus") > 1);
        Assert.Equal(0, fs.Calls.GetValueOrDefault("lookup"));
    }

    [Fact]
    public void Readdirplus_is_not_asked_for_when_the_filesystem_cannot_answer_it()
    {
        using var mount = new InProcessMount(new ListingOnlyFileSystem(), output);
        var flags = (FuseInitFlags)mount.Session.Connection.NegotiatedFlags;
        Assert.False(flags.HasFlag(FuseInitFlags.DoReadDirPlus));
        Assert.Equal("a\nb\n", Shell.Ok($"ls {Shell.Quote(mount.MountPoint)}"));
    }

    [Fact]
    public void Each_reader_thread_reads_its_own_cloned_fd_and_requests_run_in_parallel()
    {
        var before = FuseDeviceFds();
        var fs = new MemoryFileSystem { Timeout = TimeSpan.Zero };
        var files = Enumerable.Range(0, 3).Select(i => fs.AddFile(fs.Root, $"f{i}", $"content {i}")).ToList();
        // The first three READs wait for each other: they can only all finish if three threads serve them at once.
        using var barrier = new Barrier(3);
        var waiting = 0;
        fs.ReadHook = (_, _) => Interlocked.Increment(ref waiting) <= 3 && !barrier.SignalAndWait(TimeSpan.FromSeconds(15)) ? Errno.EIO : null;
        // Over /dev/fuse: io_uring queues serve one request per CPU at a time (IoUringTests covers them).
        using var mount = new InProcessMount(fs, output, o =>
        {
            o.Threads = 3;
            o.IoUring = false;
        });

        Assert.Equal(before + 3, FuseDeviceFds());
        var texts = Deadline.Run(() => Task.WhenAll(files.Select((_, i) => Task.Run(() => File.ReadAllText(mount.PathOf($"f{i}"))))).Result);
        Assert.Equal(["content 0", "content 1", "content 2"], texts);
    }

    [Fact]
    public void An_operation_answered_ENOSYS_is_not_asked_again()
    {
        var fs = new MemoryFileSystem();
        using var mount = new InProcessMount(fs, output);
        for (var i = 0; i < 3; i++)
        {
            var r = Shell.Run($"stat -f {Shell.Quote(mount.MountPoint)}");
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("Function not implemented", r.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal(1, fs.Calls["statfs"]);
    }

    [Fact]
    public void Lookup_counts_from_readdirplus_go_back_to_zero_when_the_kernel_forgets()
    {
        var fs = new MemoryFileSystem { Timeout = TimeSpan.FromHours(1) };
        var dir = fs.AddDir(fs.Root, "d");
        for (var i = 0; i < 200; i++)
            fs.AddFile(dir, $"file-with-a-longish-name-{i:D4}", "x");
        using var mount = new InProcessMount(fs, output);

        var listing = Shell.Ok($"ls -la {Shell.Quote(mount.PathOf("d"))} | wc -l");
        Assert.Equal("203", listing.Trim()); // "total", ".", "..", 200 files
        Assert.True(fs.Calls.GetValueOrDefault("readdirplus") > 1, "the listing did not use READDIRPLUS over several pages");
        Assert.True(fs.OutstandingLookups() >= 201);

        // Dropping the dentry and inode caches makes the kernel FORGET everything it no longer uses.
        var until = DateTime.UtcNow.AddSeconds(20);
        while (fs.OutstandingLookups() != 0 && DateTime.UtcNow < until)
        {
            File.WriteAllText("/proc/sys/vm/drop_caches", "2");
            Thread.Sleep(100);
        }
        Assert.Equal(0, fs.OutstandingLookups());
        Assert.True(fs.Calls.GetValueOrDefault("forget") > 0);
    }

    [Fact]
    public void An_interrupted_request_sees_its_cancellation_and_the_caller_returns()
    {
        var fs = new MemoryFileSystem();
        fs.AddFile(fs.Root, "fine", "still works");
        var interrupted = 0;
        fs.LookupHook = (name, ctx) =>
        {
            if (name != "slow")
                return null;
            if (!ctx.Interrupted.WaitHandle.WaitOne(TimeSpan.FromSeconds(30)))
                return Errno.ENOENT;
            Interlocked.Increment(ref interrupted);
            return Errno.EINTR;
        };
        using var mount = new InProcessMount(fs, output);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = Shell.Run($"timeout -s INT 1 stat {Shell.Quote(mount.PathOf("slow"))}");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal(1, interrupted);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"stat took {clock.Elapsed}");
        Assert.Equal("still works", Deadline.Run(() => File.ReadAllText(mount.PathOf("fine"))));
    }

    [Fact]
    public void Invalidating_an_inode_makes_the_kernel_read_new_contents()
    {
        var fs = new MemoryFileSystem { Timeout = TimeSpan.FromHours(1), KeepCache = true };
        var file = fs.AddFile(fs.Root, "data", "version-1");
        using var mount = new InProcessMount(fs, output);
        var path = mount.PathOf("data");

        Assert.Equal("version-1", Deadline.Run(() => File.ReadAllText(path)));
        fs.SetContent(file, "version-2");
        Assert.Equal("version-1", Deadline.Run(() => File.ReadAllText(path))); // cached pages and attributes

        Assert.Equal(0, mount.Session.Notifier.InvalidateInode(file.Id, 0, 0));
        Assert.Equal("version-2", Deadline.Run(() => File.ReadAllText(path)));
    }

    [Fact]
    public void Invalidating_and_deleting_entries_updates_what_the_kernel_sees()
    {
        var fs = new MemoryFileSystem { Timeout = TimeSpan.FromHours(1) };
        fs.AddFile(fs.Root, "old", "1");
        var gone = fs.AddFile(fs.Root, "gone", "2");
        using var mount = new InProcessMount(fs, output);
        var notifier = mount.Session.Notifier;

        Assert.True(Deadline.Run(() => File.Exists(mount.PathOf("old")) && File.Exists(mount.PathOf("gone"))));
        fs.RenameBehindTheKernel(fs.Root, "old", "new");
        fs.RemoveBehindTheKernel(fs.Root, "gone");
        Assert.True(Deadline.Run(() => File.Exists(mount.PathOf("old")) && File.Exists(mount.PathOf("gone")))); // cached

        Assert.Equal(0, notifier.InvalidateEntry(fs.Root.Id, "old"));
        Assert.Equal(0, notifier.Delete(fs.Root.Id, gone.Id, "gone"));
        Assert.False(Deadline.Run(() => File.Exists(mount.PathOf("old"))));
        Assert.True(Deadline.Run(() => File.Exists(mount.PathOf("new"))));
        Assert.False(Deadline.Run(() => File.Exists(mount.PathOf("gone"))));

        // The kernel's answer comes back as an errno: nothing cached under an unknown parent.
        Assert.Equal(Errno.ENOENT, notifier.InvalidateEntry(987654321, "x"));
    }

    [Fact]
    public void Notifications_can_be_sent_from_many_threads_at_once()
    {
        var fs = new MemoryFileSystem { Timeout = TimeSpan.FromHours(1), KeepCache = true };
        var files = Enumerable.Range(0, 8).Select(i => fs.AddFile(fs.Root, $"f{i}", $"v{i}")).ToList();
        using var mount = new InProcessMount(fs, output);
        Deadline.Run(() => files.ForEach(f => File.ReadAllText(mount.PathOf($"f{f.Id - 2}"))));

        var results = new int[800];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var f = files[i % files.Count];
            results[i] = i % 2 == 0
                ? mount.Session.Notifier.InvalidateInode(f.Id, -1, 0)
                : mount.Session.Notifier.InvalidateEntry(fs.Root.Id, Encoding.UTF8.GetBytes($"f{i % files.Count}"));
        });
        Assert.All(results.Where((_, i) => i % 2 == 0), r => Assert.Equal(0, r));
        Assert.All(results.Where((_, i) => i % 2 == 1), r => Assert.True(r is 0 or Errno.ENOENT, $"errno {r}"));
        Assert.Equal("v3", Deadline.Run(() => File.ReadAllText(mount.PathOf("f3"))));
    }

    [Fact]
    public void Stop_with_a_file_still_open_unmounts_and_ends_the_session()
    {
        var fs = new MemoryFileSystem();
        var big = new string('x', 4 * 1024 * 1024);
        fs.AddFile(fs.Root, "big", big);
        using var mount = new InProcessMount(fs, output);
        using var stream = Deadline.Run(() => new FileStream(mount.PathOf("big"), FileMode.Open, FileAccess.Read, FileShare.Read, 1));
        Assert.Equal('x', Deadline.Run(() => stream.ReadByte()));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Deadline.Run(mount.Session.Stop, TimeSpan.FromSeconds(20));
        Assert.True(mount.Session.WaitForExit(TimeSpan.FromSeconds(10)));
        output.WriteLine($"Stop took {clock.ElapsedMilliseconds} ms");
        Assert.False(MountWait.IsMounted(mount.MountPoint));
        Assert.True(fs.Destroyed);

        // The open file is cut off: the connection was aborted, nothing serves it any more.
        stream.Position = big.Length - 10;
        var ex = Assert.ThrowsAny<IOException>(() => Deadline.Run(() => stream.ReadByte()));
        output.WriteLine("read after Stop: " + ex.Message);
    }

    [Fact]
    public void After_a_lazy_unmount_open_files_are_served_until_closed()
    {
        var fs = new MemoryFileSystem();
        var content = string.Concat(Enumerable.Range(0, 200_000).Select(i => (char)('a' + i % 26)));
        fs.AddFile(fs.Root, "letters", content);
        using var mount = new InProcessMount(fs, output);
        var stream = Deadline.Run(() => new FileStream(mount.PathOf("letters"), FileMode.Open, FileAccess.Read, FileShare.Read, 1));
        try
        {
            FuseMounts.Unmount(mount.MountPoint, lazy: true);
            Assert.False(MountWait.IsMounted(mount.MountPoint));
            Assert.False(mount.Session.WaitForExit(TimeSpan.FromMilliseconds(300)));

            stream.Position = 199_990;
            var tail = new byte[10];
            Deadline.Run(() => stream.ReadExactly(tail));
            Assert.Equal(content[199_990..], Encoding.ASCII.GetString(tail));
        }
        finally
        {
            stream.Dispose();
        }
        Assert.True(mount.Session.WaitForExit(TimeSpan.FromSeconds(10)), "the session did not end when the last file closed");
        Assert.True(fs.Destroyed);
    }

    [Fact]
    public void Mounting_through_fusermount3_receives_the_fd_and_unmounts_through_it()
    {
        var fs = new MemoryFileSystem();
        fs.AddFile(fs.Root, "hello", "through the helper");
        var mount = new InProcessMount(fs, output, o => o.Method = FuseMountMethod.Fusermount);
        try
        {
            // fusermount3 names itself in the mount table's options ("user_id=..." come from it, not from us).
            Assert.Equal("fuse.memtest", FuseMounts.MountedFileSystemType(mount.MountPoint));
            Assert.Equal("through the helper", Deadline.Run(() => File.ReadAllText(mount.PathOf("hello"))));
            Deadline.Run(mount.Session.Stop, TimeSpan.FromSeconds(30));
            Assert.True(mount.Session.WaitForExit(TimeSpan.FromSeconds(10)));
            Assert.False(MountWait.IsMounted(mount.MountPoint));
        }
        finally
        {
            mount.Dispose();
        }
    }

    [Fact]
    public void A_stale_mountpoint_is_refused_with_a_clear_error()
    {
        using var dir = new LayerFs.TestSupport.TempDir("layerfs-stale");
        var mnt = dir.Combine("mnt");
        Directory.CreateDirectory(mnt);
        // Make a stale mount: mount, then close the connection's only fd without unmounting (as a killed daemon does).
        var connection = LayerFs.Fuse.Mount.DirectMount.TryMount(mnt, new FuseMountOptions())!;
        connection.Device.Dispose();
        try
        {
            Assert.True(FuseMounts.IsStale(mnt));
            var ex = Assert.Throws<FuseException>(() => FuseSession.Mount(mnt, new MemoryFileSystem(), new FuseMountOptions()));
            Assert.Equal(Errno.ENOTCONN, ex.Errno);
            Assert.Contains("stale", ex.Message, StringComparison.Ordinal);
            FuseMounts.Unmount(mnt, lazy: false);
            Assert.False(FuseMounts.IsStale(mnt));
            using var mount = FuseSession.Mount(mnt, new MemoryFileSystem(), new FuseMountOptions { Logger = TestOutputSink.Logger(output) });
            mount.Start();
            Assert.True(Deadline.Run(() => Directory.Exists(mnt)));
        }
        finally
        {
            MountWait.Cleanup(mnt);
        }
    }

    private static int FuseDeviceFds() =>
        Directory.EnumerateFileSystemEntries("/proc/self/fd").Count(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget == "/dev/fuse";
            }
            catch (IOException)
            {
                return false;
            }
        });

    /// <summary>A filesystem with READDIR but no READDIRPLUS.</summary>
    private sealed class ListingOnlyFileSystem : FuseFileSystem
    {
        public override int GetAttr(in FuseRequestContext ctx, ulong nodeId, ulong? fh, out FuseAttr attr, out TimeSpan attrTimeout)
        {
            attr = new FuseAttr { Ino = 1, Mode = 0x4000 | 0b111_101_101, NLink = 2 };
            attrTimeout = TimeSpan.FromSeconds(1);
            return nodeId == 1 ? 0 : Errno.ENOENT;
        }

        public override int ReadDir(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, FuseDirectoryWriter writer)
        {
            string[] names = ["a", "b"];
            for (var i = (int)offset; i < names.Length; i++)
                if (!writer.Add(Encoding.UTF8.GetBytes(names[i]), 100 + (ulong)i, 0x8000, i + 1))
                    break;
            return 0;
        }
    }
}
