#!/usr/bin/env python3
"""Writes archives made to break importers into OUTDIR (argv[1]): plain layer tars that try to
reach outside the layer or are malformed, truncated or compressed badly. Each must be refused
with one clear error line, leaving the store unchanged. Deterministic: the same bytes every run."""
import gzip
import io
import os
import subprocess
import sys
import tarfile

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def info(name, kind=tarfile.REGTYPE, data=b"", link="", **extra):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    ti.linkname = link
    ti.mtime = 1700000000
    ti.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    for k, v in extra.items():
        setattr(ti, k, v)
    return ti, (io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def write(name, members, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        for ti, data in members:
            tar.addfile(ti, data)
    raw = buf.getvalue()
    with open(os.path.join(out, name), "wb") as f:
        f.write(raw)
    return raw


def ok_file():
    return info("ok.txt", data=b"hello\n")

write("dotdot.tar", [ok_file(), info("../evil", data=b"x")])
write("absolute.tar", [info("/etc/evil", data=b"x")])
write("inner-dotdot.tar", [info("a", tarfile.DIRTYPE), info("a/../../b", data=b"x")])
write("symlink-then-through.tar", [info("link", tarfile.SYMTYPE, link="/etc"), info("link/passwd", data=b"root::0:0::/:/bin/sh\n")])
write("hardlink-outside.tar", [ok_file(), info("h", tarfile.LNKTYPE, link="../../etc/passwd")])
write("hardlink-missing.tar", [ok_file(), info("h", tarfile.LNKTYPE, link="not-there")])
write("hardlink-to-dir.tar", [info("d", tarfile.DIRTYPE), info("h", tarfile.LNKTYPE, link="d")])
write("duplicate.tar", [ok_file(), info("ok.txt", data=b"again\n")])
write("bare-whiteout.tar", [info(".wh.", data=b"")])
write("device-out-of-range.tar", [info("dev/bad", tarfile.CHRTYPE, devmajor=4095, devminor=2000000)], fmt=tarfile.GNU_FORMAT)

big = write("truncated-data.tar", [info("big.bin", data=os.urandom(0) + b"A" * 100000)])
with open(os.path.join(out, "truncated-data.tar"), "wb") as f:
    f.write(big[:512 + 50000])
with open(os.path.join(out, "truncated-header.tar"), "wb") as f:
    f.write(big[:300])

# A header that declares a 1 TB file, followed by nothing.
hdr = bytearray(write("huge-size.tar", [info("huge", data=b"")])[:512])
size_field = b"%011o\0" % (1 << 40)
hdr[124:136] = size_field
hdr[148:156] = b"        "
hdr[148:156] = b"%06o\0 " % (sum(hdr) & 0o777777)
with open(os.path.join(out, "huge-size.tar"), "wb") as f:
    f.write(bytes(hdr))

# Bad header checksum.
bad = bytearray(write("bad-checksum.tar", [ok_file()]))
bad[0] ^= 0x01
with open(os.path.join(out, "bad-checksum.tar"), "wb") as f:
    f.write(bytes(bad))

# Negative size (base-256 with the sign bit set).
neg = bytearray(write("negative-size.tar", [ok_file()])[:1024])
neg[124:136] = b"\xff" * 12
neg[148:156] = b"        "
neg[148:156] = b"%06o\0 " % (sum(neg[:512]) & 0o777777)
with open(os.path.join(out, "negative-size.tar"), "wb") as f:
    f.write(bytes(neg))

# A PAX header whose record length runs past its end.
pax = bytearray(write("pax-overrun.tar", [info("x" * 120, data=b"data")])[:2048])
idx = pax.index(b" path=")
start = pax.rindex(b"\n", 0, idx) + 1 if b"\n" in pax[512:idx] else 512
pax[start:start + 3] = b"999"
with open(os.path.join(out, "pax-overrun.tar"), "wb") as f:
    f.write(bytes(pax))

# NUL inside a PAX path.
ti, data = info("placeholder", data=b"x")
ti.pax_headers = {"path": "nul\0inside"}
write("nul-in-name.tar", [(ti, data)])

valid = write("valid.tar", [info("dir", tarfile.DIRTYPE), info("dir/file", data=b"content\n" * 1000)])
os.remove(os.path.join(out, "valid.tar"))
gz = gzip.compress(valid, mtime=0)
with open(os.path.join(out, "truncated.tar.gz"), "wb") as f:
    f.write(gz[: len(gz) // 2])
with open(os.path.join(out, "corrupt.tar.gz"), "wb") as f:
    f.write(gz[:20] + bytes(b ^ 0x5A for b in gz[20:40]) + gz[40:])
zst = subprocess.run(["zstd", "-q", "-c"], input=valid, stdout=subprocess.PIPE, check=True).stdout
with open(os.path.join(out, "truncated.tar.zst"), "wb") as f:
    f.write(zst[: len(zst) // 2])

with open(os.path.join(out, "not-a-tar.tar"), "wb") as f:
    f.write(b"this is not a tar archive at all\n" * 40)

# A decompression bomb at test scale: 64 MiB of zeros (tests lower the guard's floor to 1 MiB).
bomb = io.BytesIO()
with gzip.GzipFile(fileobj=bomb, mode="wb", mtime=0) as gzf:
    with tarfile.open(fileobj=gzf, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        ti = tarfile.TarInfo("zeros")
        ti.size = 64 << 20
        tar.addfile(ti, io.BytesIO(bytes(64 << 20)))
with open(os.path.join(out, "bomb.tar.gz"), "wb") as f:
    f.write(bomb.getvalue())
