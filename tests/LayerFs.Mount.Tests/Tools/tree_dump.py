#!/usr/bin/env python3
"""Prints every entry under ROOT (ROOT itself included, as "") as one JSON list.

Paths, names and link targets are raw bytes (Linux names need not be UTF-8), given as hex,
with a readable form beside them. Nothing is followed: lstat, readlink, and xattrs of the
entry itself. Used to compare a mounted rootfs with an independently unpacked one.
"""
import hashlib
import json
import os
import stat
import sys

TYPES = {stat.S_IFDIR: "d", stat.S_IFREG: "f", stat.S_IFLNK: "l", stat.S_IFCHR: "c",
         stat.S_IFBLK: "b", stat.S_IFIFO: "p", stat.S_IFSOCK: "s"}


def readable(b):
    return b.decode("utf-8", "backslashreplace")


def entry(root, rel):
    path = os.path.join(root, rel) if rel else root
    st = os.lstat(path)
    kind = TYPES[stat.S_IFMT(st.st_mode)]
    e = {
        "path": rel.hex(), "display": readable(rel), "type": kind,
        "mode": stat.S_IMODE(st.st_mode), "uid": st.st_uid, "gid": st.st_gid,
        "mtime_ns": st.st_mtime_ns, "ino": st.st_ino, "dev": st.st_dev, "nlink": st.st_nlink,
        "size": st.st_size if kind in "fl" else None,
        "rdev": "%d:%d" % (os.major(st.st_rdev), os.minor(st.st_rdev)) if kind in "cb" else None,
        "link": os.readlink(path).hex() if kind == "l" else None,
        "sha256": None, "xattrs": {},
    }
    if kind == "f":
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        e["sha256"] = h.hexdigest()
    try:
        for name in os.listxattr(path, follow_symlinks=False):
            e["xattrs"][name] = os.getxattr(path, name, follow_symlinks=False).hex()
    except OSError:
        pass
    return e


def main():
    root = os.fsencode(sys.argv[1])
    out = [entry(root, b"")]
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = b"" if rel_dir == b"." else rel_dir
        for name in sorted(dirnames + filenames):
            out.append(entry(root, os.path.join(rel_dir, name) if rel_dir else name))
    json.dump(out, sys.stdout)


main()
