#!/usr/bin/env python3
"""Differential POSIX operation engine for writable views.

    posix_ops.py --seed N --ops M A B     apply M seeded random operations to trees A and B
    posix_ops.py --compare A B            only compare the two trees

Every operation is chosen from the current content of tree B (so a run continues any earlier
run on the same trees), applied to A and then to B, and must give the same result in both
(return value, errno, data read). Then the trees are compared entry by entry: type, mode, owner,
size, mtime, content hash, symlink target, device numbers, xattrs, st_nlink and hard-link groups.
All paths are relative to an fd of each tree's root, so both trees see the same path lengths
(paths near PATH_MAX behave alike whatever the trees' own locations).

A is meant to be a view (userspace or devicemapper), B a plain directory holding the same image.
Renaming a directory that the view's image has may answer EXDEV in A (overlayfs without
redirect_dir does; mv then copies): such a rename is skipped in B. Names starting with ".wh."
and 0:0 character devices are never made (views keep them for whiteouts).

Exit status: 0 if everything matched; 1 with the first difference and the replay command.
"""
import argparse
import ctypes
import errno
import hashlib
import mmap
import os
import random
import stat
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2

# Times after this were set by the filesystem during the test (program-set times are all before 2020).
SINCE = time.time() - 86400


class Tree:
    def __init__(self, path):
        self.path = path
        self.fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)


def renameat2(tree, a, b, flags):
    if libc.renameat2(tree.fd, a.encode(), tree.fd, b.encode(), flags) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def errname(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def entries(tree):
    """Relative paths of every entry below the root (not the root), walked with fds."""
    out = []
    for top, dirs, files, dfd in os.fwalk(".", dir_fd=tree.fd, follow_symlinks=False):
        for n in dirs + files:
            out.append(os.path.normpath(os.path.join(top, n)))
    return out


def describe(dirfd, name):
    """What is compared of one entry, read relative to its directory's fd (never a long path)."""
    st = os.lstat(name, dir_fd=dirfd)
    d = {"type": stat.S_IFMT(st.st_mode), "mode": oct(st.st_mode), "uid": st.st_uid, "gid": st.st_gid}
    if not stat.S_ISDIR(st.st_mode):
        d["nlink"] = st.st_nlink
        d["size"] = st.st_size
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | (os.O_DIRECTORY if stat.S_ISDIR(st.st_mode) else 0)
        fd = os.open(name, flags, dir_fd=dirfd)
        try:
            if stat.S_ISREG(st.st_mode):
                h = hashlib.sha256()
                while True:
                    b = os.read(fd, 1 << 20)
                    if not b:
                        break
                    h.update(b)
                d["sha256"] = h.hexdigest()
            d["xattrs"] = sorted((n, xattr_value(fd, n)) for n in os.listxattr(fd))
        finally:
            os.close(fd)
    elif stat.S_ISLNK(st.st_mode):
        d["target"] = os.readlink(name, dir_fd=dirfd)
    elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        d["rdev"] = (os.major(st.st_rdev), os.minor(st.st_rdev))
    return d, st


def xattr_value(fd, name):
    try:
        return os.getxattr(fd, name)
    except OSError as e:
        # security.capability with a malformed value: the kernel refuses to show it (in both trees alike).
        return errname(e)


def snapshot(tree):
    """rel path -> (description, stat) of every entry, walked with directory fds."""
    out = {}
    for top, dirs, files, dfd in os.fwalk(".", dir_fd=tree.fd, follow_symlinks=False):
        for n in dirs + files:
            out[os.path.normpath(os.path.join(top, n))] = describe(dfd, n)
    return out


def same_time(a, b):
    # Times set by a program compare exactly; times the filesystem set during this run ("now") differ by
    # the moments each tree was changed, so they only need to be both recent and close.
    if a == b:
        return True
    return a / 1e9 > SINCE and b / 1e9 > SINCE and abs(a - b) < 5e9


def compare(a, b):
    sa_all, sb_all = snapshot(a), snapshot(b)
    if sorted(sa_all) != sorted(sb_all):
        only_a = sorted(set(sa_all) - set(sb_all))[:5]
        only_b = sorted(set(sb_all) - set(sa_all))[:5]
        return f"entries differ: only in A {only_a}, only in B {only_b}"
    groups_a, groups_b = {}, {}
    for rel in sorted(sa_all):
        da, sa = sa_all[rel]
        db, sb = sb_all[rel]
        if da != db:
            keys = [k for k in set(da) | set(db) if da.get(k) != db.get(k)]
            return f"{rel}: " + ", ".join(f"{k} A={da.get(k)!r} B={db.get(k)!r}" for k in sorted(keys))
        if not same_time(sa.st_mtime_ns, sb.st_mtime_ns):
            return f"{rel}{'/' if stat.S_ISDIR(sa.st_mode) else ''}: mtime A={sa.st_mtime_ns} B={sb.st_mtime_ns}"
        if not stat.S_ISDIR(sa.st_mode) and sa.st_nlink > 1:
            groups_a.setdefault(sa.st_ino, []).append(rel)
            groups_b.setdefault(sb.st_ino, []).append(rel)
    ga = sorted(sorted(g) for g in groups_a.values())
    gb = sorted(sorted(g) for g in groups_b.values())
    if ga != gb:
        return f"hard-link groups differ: A {[g for g in ga if g not in gb][:3]} B {[g for g in gb if g not in ga][:3]}"
    return None


class Ops:
    """Random operations; each returns a comparable result (exceptions become errno names)."""

    def __init__(self, rng):
        self.rng = rng

    def name(self):
        r = self.rng.random()
        if r < 0.03:
            return "L" * self.rng.choice([255, 256, 300])
        if r < 0.06:
            return "ü-" + str(self.rng.randrange(100))
        return self.rng.choice(["a", "b", "c", "dir", "file", "x.txt", "sub", "n"]) + str(self.rng.randrange(20))

    def pick(self, paths, want=None, b=None):
        cands = paths
        if want is not None:
            cands = [p for p in paths if want(p)]
        return self.rng.choice(cands) if cands else None

    def plan(self, b):
        """One operation as (name, args), chosen from tree B."""
        paths = entries(b)
        kinds = {}
        for p in paths:
            try:
                kinds[p] = stat.S_IFMT(os.lstat(p, dir_fd=b.fd).st_mode)
            except OSError:
                pass
        dirs = ["."] + [p for p in paths if kinds.get(p) == stat.S_IFDIR]
        files = [p for p in paths if kinds.get(p) == stat.S_IFREG]
        anyp = paths or ["."]
        rng = self.rng

        def newpath():
            d = rng.choice(dirs)
            return os.path.normpath(os.path.join(d, self.name()))

        def deep():
            # A chain of long directory names toward PATH_MAX.
            d = rng.choice(dirs)
            return os.path.normpath(os.path.join(d, *(["D" * 250] * rng.randrange(1, 18))))

        op = rng.choice([
            "create", "create", "create", "write", "write", "append", "truncate", "fallocate", "rename", "rename",
            "rename_noreplace", "rename_exchange", "link", "symlink", "mkfifo", "mknod", "unlink", "unlink", "rmdir",
            "mkdir", "mkdir", "chmod", "chown", "utime", "setxattr", "removexattr", "unlink_open", "mmap", "fsync",
            "read", "rmtree", "deep", "chmod_dir", "utime_dir",
        ])
        if op == "create":
            return op, (newpath(), rng.choice([0o644, 0o600, 0o755, 0o4755, 0o2755]), rng.randbytes(rng.choice([0, 1, 100, 5000, 70000])))
        if op in ("write", "append", "read", "fsync", "mmap", "unlink_open"):
            f = self.pick(files) or newpath()
            return op, (f, rng.randrange(0, 10000), rng.randbytes(rng.choice([1, 10, 4096, 20000])))
        if op == "truncate":
            return op, (self.pick(files) or newpath(), rng.choice([0, 1, 100, 4096, 100000]))
        if op == "fallocate":
            return op, (self.pick(files) or newpath(), rng.randrange(0, 10000), rng.randrange(1, 50000))
        if op in ("rename", "rename_noreplace", "rename_exchange"):
            src = rng.choice(anyp)
            dst = rng.choice(anyp) if rng.random() < 0.5 else newpath()
            return op, (src, dst)
        if op == "link":
            return op, (self.pick(paths, lambda p: kinds.get(p) not in (stat.S_IFDIR, None)) or newpath(), newpath())
        if op == "symlink":
            return op, (rng.choice(["../x", "target", "/etc/passwd", "a/b/c", "L" * 300]), newpath())
        if op == "mkfifo":
            return op, (newpath(),)
        if op == "mknod":
            return op, (newpath(), rng.choice([(1, 3), (1, 5), (4, 64), (259, 1)]))
        if op == "unlink":
            return op, (rng.choice(anyp),)
        if op in ("rmdir", "rmtree", "chmod_dir", "utime_dir"):
            return op, (rng.choice(dirs), rng.choice([0o755, 0o700, 0o1777, 0o2775]), rng.randrange(10**9, 1_500_000_000) * 10**9 + rng.randrange(10**9))
        if op == "mkdir":
            return op, (newpath(), rng.choice([0o755, 0o700, 0o2775]))
        if op == "deep":
            return op, (deep(),)
        if op == "chmod":
            return op, (rng.choice(anyp), rng.choice([0o644, 0o600, 0o755, 0o4755, 0o2711, 0o1777, 0]))
        if op == "chown":
            return op, (rng.choice(anyp), rng.choice([0, 1000, 65534]), rng.choice([0, 100, 65534]))
        if op == "utime":
            t = rng.randrange(10**9, 1_500_000_000) * 10**9 + rng.randrange(10**9)
            return op, (rng.choice(anyp), t, t + rng.randrange(10**15))
        if op in ("setxattr", "removexattr"):
            return op, (rng.choice(anyp), rng.choice(XATTR_NAMES), rng.randbytes(rng.choice([0, 5, 300])))
        raise AssertionError(op)

    @staticmethod
    def apply(t, op, args):
        fd = t.fd
        try:
            if op == "create":
                path, mode, data = args
                f = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode, dir_fd=fd)
                try:
                    os.write(f, data)
                finally:
                    os.close(f)
                return "ok"
            if op == "write":
                path, off, data = args
                f = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
                try:
                    return os.pwrite(f, data, off)
                finally:
                    os.close(f)
            if op == "append":
                path, _, data = args
                f = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
                try:
                    return os.write(f, data)
                finally:
                    os.close(f)
            if op == "read":
                path, off, _ = args
                f = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
                try:
                    return hashlib.sha256(os.pread(f, 100000, off)).hexdigest()
                finally:
                    os.close(f)
            if op == "fsync":
                path, off, data = args
                f = os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
                try:
                    os.pwrite(f, data[:100], off)
                    os.fsync(f)
                    return "ok"
                finally:
                    os.close(f)
            if op == "mmap":
                path, off, data = args
                f = os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
                try:
                    size = os.fstat(f).st_size
                    if size == 0:
                        return "empty"
                    m = mmap.mmap(f, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
                    o = off % size
                    chunk = data[: size - o]
                    m[o:o + len(chunk)] = chunk
                    m.flush()
                    m.close()
                    return len(chunk)
                finally:
                    os.close(f)
            if op == "unlink_open":
                path, off, data = args
                f = os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
                try:
                    os.unlink(path, dir_fd=fd)
                    os.pwrite(f, data[:50], off)
                    st = os.fstat(f)
                    content = hashlib.sha256(os.pread(f, 1 << 20, 0)).hexdigest()
                    return (st.st_nlink, st.st_size, content)
                finally:
                    os.close(f)
            if op == "truncate":
                path, size = args
                f = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
                try:
                    os.ftruncate(f, size)
                finally:
                    os.close(f)
                return "ok"
            if op == "fallocate":
                path, off, length = args
                f = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
                try:
                    os.posix_fallocate(f, off, length)
                finally:
                    os.close(f)
                return "ok"
            if op == "rename":
                os.rename(args[0], args[1], src_dir_fd=fd, dst_dir_fd=fd)
                return "ok"
            if op == "rename_noreplace":
                renameat2(t, args[0], args[1], RENAME_NOREPLACE)
                return "ok"
            if op == "rename_exchange":
                renameat2(t, args[0], args[1], RENAME_EXCHANGE)
                return "ok"
            if op == "link":
                os.link(args[0], args[1], src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False)
                return "ok"
            if op == "symlink":
                os.symlink(args[0], args[1], dir_fd=fd)
                return "ok"
            if op == "mkfifo":
                os.mkfifo(args[0], 0o640, dir_fd=fd)
                return "ok"
            if op == "mknod":
                os.mknod(args[0], 0o600 | stat.S_IFCHR, os.makedev(*args[1]), dir_fd=fd)
                return "ok"
            if op == "unlink":
                os.unlink(args[0], dir_fd=fd)
                return "ok"
            if op == "rmdir":
                os.rmdir(args[0], dir_fd=fd)
                return "ok"
            if op == "rmtree":
                if args[0] == ".":
                    return "skip"
                return rmtree(fd, args[0])
            if op == "mkdir":
                os.mkdir(args[0], args[1], dir_fd=fd)
                return "ok"
            if op == "deep":
                made = 0
                parts = args[0].split("/")
                for i in range(1, len(parts) + 1):
                    p = "/".join(parts[:i])
                    try:
                        os.mkdir(p, 0o755, dir_fd=fd)
                        made += 1
                    except FileExistsError:
                        pass
                f = os.open(args[0] + "/f", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=fd)
                os.write(f, b"deep")
                os.close(f)
                return made
            if op == "chmod":
                if stat.S_ISLNK(os.lstat(args[0], dir_fd=fd).st_mode):
                    return "symlink"
                os.chmod(args[0], args[1], dir_fd=fd)
                return "ok"
            if op == "chmod_dir":
                os.chmod(args[0], args[1], dir_fd=fd)
                return "ok"
            if op == "chown":
                os.chown(args[0], args[1], args[2], dir_fd=fd, follow_symlinks=False)
                return "ok"
            if op == "utime":
                os.utime(args[0], ns=(args[1], args[2]), dir_fd=fd, follow_symlinks=False)
                return "ok"
            if op == "utime_dir":
                os.utime(args[0], ns=(args[2], args[2]), dir_fd=fd, follow_symlinks=False)
                return "ok"
            if op == "setxattr":
                # By path (not by an open fd: opening a device node differs on nodev mounts).
                os.setxattr(f"/proc/self/fd/{fd}/{args[0]}", args[1], args[2], follow_symlinks=False)
                return "ok"
            if op == "removexattr":
                os.removexattr(f"/proc/self/fd/{fd}/{args[0]}", args[1], follow_symlinks=False)
                return "ok"
        except OSError as e:
            return errname(e)
        raise AssertionError(op)


def rmtree(dirfd, path):
    """rm -rf with fds; the first error's errno name, or the number of entries removed."""
    try:
        st = os.lstat(path, dir_fd=dirfd)
    except OSError as e:
        return errname(e)
    if not stat.S_ISDIR(st.st_mode):
        os.unlink(path, dir_fd=dirfd)
        return 1
    count = 0
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dirfd)
    try:
        for n in sorted(os.listdir(fd)):
            r = rmtree(fd, n)
            if isinstance(r, str):
                return r
            count += r
    finally:
        os.close(fd)
    os.rmdir(path, dir_fd=dirfd)
    return count + 1


# --readable-xattrs leaves out security.capability, whose random values the kernel refuses to read
# back: such a tree cannot be carried by a tar (the commit round-trip test uses it).
XATTR_NAMES = ["user.a", "user.b", "trusted.t", "security.capability"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ops", type=int, default=1000)
    ap.add_argument("--compare", action="store_true", help="only compare the trees")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--readable-xattrs", action="store_true", help="no malformed security.capability values")
    ap.add_argument("a")
    ap.add_argument("b")
    args = ap.parse_args()
    if args.readable_xattrs:
        XATTR_NAMES.remove("security.capability")
    a, b = Tree(args.a), Tree(args.b)
    replay = f"{sys.argv[0]} --seed {args.seed} --ops {args.ops} {args.a} {args.b}"
    if not args.compare:
        ops = Ops(random.Random(args.seed))
        skipped = 0
        for i in range(args.ops):
            op, op_args = ops.plan(b)
            ra = Ops.apply(a, op, op_args)
            if ra == "EXDEV" and op.startswith("rename"):
                skipped += 1
                continue
            rb = Ops.apply(b, op, op_args)
            if args.verbose:
                print(f"{i} {op} {shorten(op_args)} -> {ra!r}")
            if ra != rb:
                print(f"op {i}: {op}{shorten(op_args)}: A -> {ra!r}, B -> {rb!r}", file=sys.stderr)
                print(f"replay: {replay}", file=sys.stderr)
                return 1
        print(f"{args.ops} operations (seed {args.seed}), {skipped} directory renames skipped after EXDEV")
    diff = compare(a, b)
    if diff:
        print(f"trees differ: {diff}", file=sys.stderr)
        print(f"replay: {replay}" if not args.compare else f"compare: {sys.argv[0]} --compare {args.a} {args.b}", file=sys.stderr)
        return 1
    print("trees match")
    return 0


def shorten(args):
    return "(" + ", ".join((repr(x)[:60] + "…") if len(repr(x)) > 60 else repr(x) for x in args) + ")"


if __name__ == "__main__":
    sys.exit(main())
