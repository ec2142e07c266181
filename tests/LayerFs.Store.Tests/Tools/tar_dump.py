#!/usr/bin/env python3
"""Independent reference reader for the tests: dumps every member of an uncompressed tar
(read from the file named in argv[1]) as one JSON object per line, using Python's tarfile.
Names and link targets are hex of their raw bytes, so non-UTF-8 names compare exactly."""
import hashlib
import json
import sys
import tarfile

TYPES = {
    tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.CONTTYPE: "file",
    tarfile.LNKTYPE: "hardlink", tarfile.SYMTYPE: "symlink", tarfile.CHRTYPE: "char",
    tarfile.BLKTYPE: "block", tarfile.DIRTYPE: "dir", tarfile.FIFOTYPE: "fifo",
}


def raw(text):
    return text.encode("utf-8", "surrogateescape").hex()


def normalise(name):
    parts = [p for p in name.split("/") if p not in ("", ".")]
    return "/".join(parts)


def mtime(member):
    text = member.pax_headers.get("mtime")
    if text is None:
        return f"{int(member.mtime)}.000000000"
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    return f"{sign}{whole}.{(frac + '000000000')[:9]}"


with tarfile.open(sys.argv[1], "r:", encoding="utf-8", errors="surrogateescape") as tar:
    for m in tar:
        record = {
            "path": raw(normalise(m.name)),
            "type": TYPES.get(m.type, "other:" + m.type.decode("latin-1")),
            "mode": m.mode & 0o7777,
            "uid": m.uid,
            "gid": m.gid,
            "mtime": mtime(m),
            "link": raw(m.linkname) if m.type == tarfile.SYMTYPE else (raw(normalise(m.linkname)) if m.type == tarfile.LNKTYPE else ""),
            "dev": [m.devmajor, m.devminor] if m.type in (tarfile.CHRTYPE, tarfile.BLKTYPE) else [0, 0],
            "xattrs": {k[len("SCHILY.xattr."):]: v.encode("utf-8", "surrogateescape").hex()
                       for k, v in sorted(m.pax_headers.items()) if k.startswith("SCHILY.xattr.")},
            "size": m.size if m.isreg() else 0,
            "sha256": hashlib.sha256(tar.extractfile(m).read()).hexdigest() if m.isreg() else "",
        }
        print(json.dumps(record, sort_keys=True))
