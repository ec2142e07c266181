using LayerFs.Mount.Views;
using LayerFs.Store;
using LayerFs.Store.Views;
using Xunit;

namespace LayerFs.Mount.Tests.Views;

/// <summary>Each kind of change a program makes in a userspace view, against a real mount.</summary>
public sealed class ViewOperationTests
{
    [Fact]
    public void Writing_an_image_file_copies_it_up_keeps_its_inode_and_leaves_the_image_alone()
    {
        using var view = new ViewMount();
        var before = view.Stat("etc/passwd");
        File.AppendAllText(view.In("etc/passwd"), "dev:x:1000:1000::/home/dev:/bin/sh\n");
        Assert.Equal(before.Ino, view.Stat("etc/passwd").Ino);
        Assert.EndsWith("/bin/sh\n", File.ReadAllText(view.In("etc/passwd")), StringComparison.Ordinal);
        Assert.DoesNotContain("dev:x:1000", File.ReadAllText(Path.Combine(view.ImageRootfs, "etc/passwd")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(view.Upper, "etc/passwd")));

        view.Remount();
        Assert.Equal(before.Ino, view.Stat("etc/passwd").Ino);
        Assert.Contains("dev:x:1000", File.ReadAllText(view.In("etc/passwd")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_metadata_change_copies_no_content_until_the_first_write()
    {
        using var view = new ViewMount();
        var original = File.ReadAllBytes(view.In("bin/busybox"));
        File.SetUnixFileMode(view.In("bin/busybox"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserExecute, File.GetUnixFileMode(view.In("bin/busybox")));
        Assert.Equal(original, File.ReadAllBytes(view.In("bin/busybox")));
        // The upper file has the size but no blocks: the content still comes from the image's object.
        var blocks = view.Python("import os,sys; print(os.stat(sys.argv[2]).st_blocks)", Path.Combine(view.Upper, "bin/busybox"));
        Assert.Equal("0", blocks);
        using (var store = ImageStore.Open(view.Cli.Store))
        using (var changes = new UserspaceSnapshotter().Changes(store, store.View(view.View)))
        {
            var busybox = Assert.Single(changes.Enumerate(), c => c.Path == "bin/busybox");
            Assert.Equal(ViewChangeKind.Changed, busybox.Kind);
            Assert.NotNull(busybox.ContentPath);
            Assert.Equal(original, File.ReadAllBytes(busybox.ContentPath!));
        }

        view.Remount();
        using (var stream = new FileStream(view.In("bin/busybox"), FileMode.Open, FileAccess.Write))
            stream.Write("MZ"u8);
        var now = File.ReadAllBytes(view.In("bin/busybox"));
        Assert.Equal(original.Length, now.Length);
        Assert.Equal(original[2..], now[2..]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserExecute, File.GetUnixFileMode(view.In("bin/busybox")));
    }

    [Fact]
    public void Deleting_and_renaming_image_entries_leave_whiteouts_and_a_directory_made_again_is_opaque()
    {
        using var view = new ViewMount();
        File.Delete(view.In("etc/group"));
        File.Move(view.In("etc/passwd"), view.In("passwd.moved"));
        Directory.Delete(view.In("etc"), recursive: true);
        Directory.CreateDirectory(view.In("etc"));
        File.WriteAllText(view.In("etc/hostname"), "dev\n");
        Assert.Equal(["hostname"], Directory.GetFileSystemEntries(view.In("etc")).Select(Path.GetFileName));
        Assert.True(File.Exists(view.In("passwd.moved")));
        Assert.True(File.Exists(Path.Combine(view.ImageRootfs, "etc/group")));

        view.Remount();
        Assert.Equal(["hostname"], Directory.GetFileSystemEntries(view.In("etc")).Select(Path.GetFileName));
        using var store = ImageStore.Open(view.Cli.Store);
        using var changes = new UserspaceSnapshotter().Changes(store, store.View(view.View));
        var list = changes.Enumerate().ToList();
        var etc = Assert.Single(list, c => c.Path == "etc");
        Assert.True(etc.Opaque);
        Assert.Equal(ViewChangeKind.Added, Assert.Single(list, c => c.Path == "etc/hostname").Kind);
        Assert.Equal(ViewChangeKind.Added, Assert.Single(list, c => c.Path == "passwd.moved").Kind);
        // Parents before children, in path order.
        Assert.True(list.FindIndex(c => c.Path == "etc") < list.FindIndex(c => c.Path == "etc/hostname"));
    }

    [Fact]
    public void A_hard_link_to_an_image_file_is_the_same_inode_with_two_links()
    {
        using var view = new ViewMount();
        var before = view.Stat("etc/group");
        view.Python("import os,sys; os.link(os.path.join(sys.argv[1],'etc/group'), os.path.join(sys.argv[1],'group2'))");
        Assert.Equal((before.Ino, 2), view.Stat("etc/group"));
        Assert.Equal((before.Ino, 2), view.Stat("group2"));
        File.AppendAllText(view.In("group2"), "extra:x:5000:\n");
        Assert.Contains("extra:x:5000", File.ReadAllText(view.In("etc/group")), StringComparison.Ordinal);
        view.Remount();
        Assert.Equal((before.Ino, 2), view.Stat("group2"));
    }

    [Fact]
    public void An_unlinked_open_file_stays_readable_with_no_links()
    {
        using var view = new ViewMount();
        var output = view.Python("""
            import os, sys
            p = os.path.join(sys.argv[1], 'etc/passwd')
            fd = os.open(p, os.O_RDONLY)
            os.unlink(p)
            st = os.fstat(fd)
            data = os.pread(fd, 4, 0)
            print(st.st_nlink, data.decode(), os.path.exists(p))
            """);
        Assert.Equal("0 root False", output);
    }

    [Fact]
    public void An_unlinked_open_file_keeps_its_xattrs_and_takes_new_ones()
    {
        // A file of the view's own (upper), unlinked while open: its xattrs are reached by the fd alone.
        using var view = new ViewMount();
        var output = view.Python("""
            import os, sys
            p = os.path.join(sys.argv[1], 'tmp/x')
            with open(p, 'w') as f:
                f.write('data')
            os.setxattr(p, 'user.kept', b'1')
            fd = os.open(p, os.O_RDWR)
            os.unlink(p)
            os.setxattr(fd, 'user.added', b'2')
            got = (os.getxattr(fd, 'user.kept'), os.getxattr(fd, 'user.added'))
            names = sorted(n for n in os.listxattr(fd) if n.startswith('user.'))
            os.removexattr(fd, 'user.kept')
            after = sorted(n for n in os.listxattr(fd) if n.startswith('user.'))
            os.pwrite(fd, b'more', 4)
            print(got[0].decode(), got[1].decode(), ','.join(names), ','.join(after), os.pread(fd, 8, 0).decode())
            """);
        Assert.Equal("1 2 user.added,user.kept user.added datamore", output);
    }

    [Fact]
    public void An_access_acl_set_in_a_view_is_enforced_by_the_kernel()
    {
        // The mount asks for FUSE_POSIX_ACL: the kernel checks ACLs as it does on a disk filesystem.
        // The reader is root without capabilities (another uid would need allow_other), and the
        // file belongs to uid 1000, so only an ACL entry for uid 0 lets it read.
        using var view = new ViewMount();
        var output = view.Python("""
            import os, sys, struct, ctypes
            p = os.path.join(sys.argv[1], 'tmp/secret')
            with open(p, 'w') as f:
                f.write('s')
            os.chown(p, 1000, 1000)
            os.chmod(p, 0o600)
            def opens_without_capabilities():
                pid = os.fork()
                if pid == 0:
                    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
                    data = (ctypes.c_uint32 * 6)()
                    if ctypes.CDLL(None, use_errno=True).capset(header, data) != 0:
                        os._exit(99)
                    try:
                        os.close(os.open(p, os.O_RDONLY)); os._exit(0)
                    except PermissionError:
                        os._exit(13)
                return os.waitpid(pid, 0)[1] >> 8
            before = opens_without_capabilities()
            # user::rw- user:0:r-- group::--- mask::r-- other::---
            acl = struct.pack('<I', 2) + b''.join(struct.pack('<HHI', t, perm, i) for t, perm, i in
                [(1, 6, 0xffffffff), (2, 4, 0), (4, 0, 0xffffffff), (0x10, 4, 0xffffffff), (0x20, 0, 0xffffffff)])
            os.setxattr(p, 'system.posix_acl_access', acl)
            same = os.getxattr(p, 'system.posix_acl_access') == acl
            print(before, opens_without_capabilities(), same, oct(os.stat(p).st_mode & 0o777))
            """);
        Assert.Equal("13 0 True 0o640", output);
    }

    [Fact]
    public void Rename_replaces_refuses_with_noreplace_and_exchanges()
    {
        using var view = new ViewMount();
        var output = view.Python("""
            import os, sys, ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            r = sys.argv[1]
            def rename2(a, b, flags):
                if libc.renameat2(-100, os.path.join(r, a).encode(), -100, os.path.join(r, b).encode(), flags) != 0:
                    return os.strerror(ctypes.get_errno())
                return 'ok'
            open(os.path.join(r, 'tmp/a'), 'w').write('A')
            print(rename2('tmp/a', 'etc/passwd', 1))
            print(rename2('tmp/a', 'etc/passwd', 2), open(os.path.join(r, 'tmp/a')).read()[:4], open(os.path.join(r, 'etc/passwd')).read())
            os.rename(os.path.join(r, 'tmp/a'), os.path.join(r, 'etc/group'))
            print(open(os.path.join(r, 'etc/group')).read()[:4], os.path.exists(os.path.join(r, 'tmp/a')))
            """);
        Assert.Equal("File exists\nok root A\nroot False", output);
    }

    [Fact]
    public void Names_too_long_reserved_names_and_whiteout_devices_are_refused_clearly()
    {
        using var view = new ViewMount();
        var output = view.Python("""
            import os, sys
            r = sys.argv[1]
            def attempt(f):
                try:
                    f(); return 'ok'
                except OSError as e:
                    return os.strerror(e.errno)
            print(attempt(lambda: open(os.path.join(r, 'x' * 256), 'w')))
            print(attempt(lambda: os.stat(os.path.join(r, 'bin', 'y' * 300))))
            print(attempt(lambda: open(os.path.join(r, 'z' * 255), 'w').close()))
            print(attempt(lambda: open(os.path.join(r, '.wh.foo'), 'w')))
            print(attempt(lambda: os.mknod(os.path.join(r, 'dev0'), 0o600 | 0o020000, 0)))
            """);
        Assert.Equal("File name too long\nFile name too long\nok\nInvalid argument\nOperation not permitted", output);
    }

    [Fact]
    public void Renaming_an_image_directory_answers_EXDEV_and_mv_copies_it()
    {
        using var view = new ViewMount();
        var direct = view.Python("""
            import os, sys
            try:
                os.rename(os.path.join(sys.argv[1], 'etc'), os.path.join(sys.argv[1], 'etc2')); print('ok')
            except OSError as e:
                print(os.strerror(e.errno))
            """);
        Assert.Equal("Invalid cross-device link", direct);
        LayerFs.TestSupport.ProcessRunner.Run("mv", [view.In("etc"), view.In("etc2")]).EnsureSuccess();
        Assert.False(Directory.Exists(view.In("etc")));
        Assert.Contains("root:", File.ReadAllText(view.In("etc2/passwd")), StringComparison.Ordinal);
    }

    [Fact]
    public void Shared_writable_mmap_changes_the_file()
    {
        using var view = new ViewMount();
        var output = view.Python("""
            import os, sys, mmap
            p = os.path.join(sys.argv[1], 'etc/passwd')
            fd = os.open(p, os.O_RDWR)
            m = mmap.mmap(fd, 4, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            m[0:4] = b'ROOT'
            m.flush(); m.close(); os.close(fd)
            print(open(p).read()[:4])
            """);
        Assert.Equal("ROOT", output);
        view.Remount();
        Assert.StartsWith("ROOT", File.ReadAllText(view.In("etc/passwd")), StringComparison.Ordinal);
    }

    [Fact]
    public void Symlinks_fifos_xattrs_owners_and_times_are_kept()
    {
        using var view = new ViewMount();
        var output = view.Python("""
            import os, sys
            r = sys.argv[1]
            os.symlink('../etc/passwd', os.path.join(r, 'tmp/link'))
            os.mkfifo(os.path.join(r, 'tmp/fifo'), 0o640)
            os.chown(os.path.join(r, 'etc/group'), 1000, 100)
            os.utime(os.path.join(r, 'etc/group'), ns=(1, 1234567890123456789))
            os.setxattr(os.path.join(r, 'etc/group'), 'user.note', b'kept')
            """);
        Assert.Equal("", output);
        view.Remount();
        var after = view.Python("""
            import os, sys, stat
            r = sys.argv[1]
            s = os.lstat(os.path.join(r, 'etc/group'))
            print(os.readlink(os.path.join(r, 'tmp/link')), stat.S_ISFIFO(os.lstat(os.path.join(r, 'tmp/fifo')).st_mode),
                  s.st_uid, s.st_gid, s.st_mtime_ns, os.getxattr(os.path.join(r, 'etc/group'), 'user.note').decode())
            """);
        Assert.Equal("../etc/passwd True 1000 100 1234567890123456789 kept", after);
    }

    [Fact]
    public void Writes_truncates_and_chowns_clear_set_id_bits_and_capabilities_as_on_a_local_filesystem()
    {
        // The view clears them itself (FUSE_HANDLE_KILLPRIV_V2): a write or truncate by a process
        // without CAP_FSETID drops S_ISUID and S_ISGID (passthrough writes included), one with it
        // keeps them, a chown drops them,
        // and security.capability goes on each. The same script on the host's own /tmp is the reference.
        using var view = new ViewMount();
        const string script = """
            import ctypes, errno, os, struct, sys
            base = sys.argv[2]
            cap = struct.pack('<5I', 0x02000001, 1 << 13, 0, 0, 0)
            def make(name, mode):
                p = os.path.join(base, name)
                with open(p, 'wb') as f:
                    f.write(b'#!/bin/sh\n')
                os.chmod(p, mode)
                os.setxattr(p, 'security.capability', cap)
                return p
            def without_fsetid(action):
                # Still root (the mount admits only its owner), but without CAP_FSETID (capability 4).
                pid = os.fork()
                if pid == 0:
                    try:
                        libc = ctypes.CDLL(None, use_errno=True)
                        header, data = (ctypes.c_uint32 * 2)(0x20080522, 0), (ctypes.c_uint32 * 6)()
                        if libc.capget(header, data) != 0:
                            raise OSError(ctypes.get_errno(), 'capget')
                        data[0] &= ~(1 << 4); data[1] &= ~(1 << 4)
                        if libc.capset(header, data) != 0:
                            raise OSError(ctypes.get_errno(), 'capset')
                        action(); os._exit(0)
                    except BaseException as e:
                        print(e, file=sys.stderr); os._exit(1)
                assert os.waitpid(pid, 0)[1] == 0
            def state(p):
                try:
                    os.getxattr(p, 'security.capability'); caps = 'cap'
                except OSError as e:
                    caps = 'nocap' if e.errno == errno.ENODATA else str(e)
                return '%o %s' % (os.stat(p).st_mode & 0o7777, caps)
            def append(p):
                with open(p, 'ab') as f:
                    f.write(b'echo\n')
            written, truncated = make('written', 0o6777), make('truncated', 0o6777)
            without_fsetid(lambda: append(written))
            without_fsetid(lambda: os.truncate(truncated, 1))
            rootwrite, chowned = make('rootwrite', 0o6755), make('chowned', 0o6755)
            append(rootwrite)
            os.chown(chowned, 1000, 1000)
            print(' '.join(state(p) for p in (written, truncated, rootwrite, chowned)))
            """;
        var local = Directory.CreateTempSubdirectory("layerfs-killpriv-");
        try
        {
            var expected = view.Python(script, local.FullName);
            Assert.Equal("777 nocap 777 nocap 6755 nocap 755 nocap", expected);
            Assert.Equal(expected, view.Python(script, view.In("tmp")));
            view.Remount();
            Assert.Equal("777 6755 755", view.Python("""
                import os, sys
                print(' '.join('%o' % (os.stat(os.path.join(sys.argv[1], 'tmp', n)).st_mode & 0o7777) for n in ('written', 'rootwrite', 'chowned')))
                """));
        }
        finally
        {
            local.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_listing_follows_every_change_made_in_the_view()
    {
        // The kernel keeps directory listings; each change through the mount must drop its copy.
        using var view = new ViewMount();
        string[] Listed(string dir) => [.. Directory.GetFileSystemEntries(view.In(dir)).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal)];
        var etc = Listed("etc");
        Assert.Contains("passwd", etc);
        File.WriteAllText(view.In("etc/made"), "x");
        Assert.Equal([.. etc.Append("made").Order(StringComparer.Ordinal)], Listed("etc"));
        File.Move(view.In("etc/made"), view.In("tmp/moved"));
        Assert.Equal(etc, Listed("etc"));
        Assert.Contains("moved", Listed("tmp"));
        File.Delete(view.In("etc/passwd"));
        Assert.Equal([.. etc.Where(n => n != "passwd")], Listed("etc"));
        Directory.CreateDirectory(view.In("etc/sub"));
        Assert.Contains("sub", Listed("etc"));
        Assert.Empty(Listed("etc/sub"));
        File.WriteAllText(view.In("etc/sub/inner"), "y");
        Assert.Equal(["inner"], Listed("etc/sub"));
        File.Delete(view.In("etc/sub/inner"));
        Directory.Delete(view.In("etc/sub"));
        Assert.DoesNotContain("sub", Listed("etc"));
    }

    [Fact]
    public void Views_appear_and_go_while_mounted_and_removal_frees_the_upper_directory()
    {
        using var view = new ViewMount();
        // Listed first, so that a kernel which kept the listing would show it stale below.
        string[] Listed() => [.. Directory.GetDirectories(Path.Combine(view.Cli.Mountpoint, "views")).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal)];
        Assert.Equal(["dev"], Listed());
        view.Cli.Run("view", "create", "second", "--from", view.Image).EnsureSuccess();
        Assert.Equal(["dev", "second"], Listed());
        Assert.True(Directory.Exists(Path.Combine(view.Cli.Mountpoint, "views", "second", "rootfs", "etc")));
        var json = File.ReadAllText(Path.Combine(view.Cli.Mountpoint, "views", "second", "json"));
        using (var doc = System.Text.Json.JsonDocument.Parse(json))
        {
            Assert.Equal("second", doc.RootElement.GetProperty("name").GetString());
            Assert.Equal(UserspaceSnapshotter.SnapshotterName, doc.RootElement.GetProperty("snapshotter").GetString());
            Assert.StartsWith("sha256:", doc.RootElement.GetProperty("image").GetString(), StringComparison.Ordinal);
            Assert.True(doc.RootElement.TryGetProperty("created", out _));
        }
        File.WriteAllText(Path.Combine(view.Cli.Mountpoint, "views", "second", "rootfs", "new"), "x");
        view.Cli.Run("view", "rm", "second").EnsureSuccess();
        Assert.False(Directory.Exists(Path.Combine(view.Cli.Store, "views", "second")));
        Assert.False(Directory.Exists(Path.Combine(view.Cli.Mountpoint, "views", "second")));
        Assert.Equal(["dev"], Listed());
    }
}
