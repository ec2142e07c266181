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


def patched(name, raw, at, value):
    """Writes raw with value put at offset at of the first header, and that header's checksum fixed."""
    raw = bytearray(raw)
    raw[at:at + len(value)] = value
    raw[148:156] = b"        "
    raw[148:156] = b"%06o\0 " % (sum(raw[:512]) & 0o777777)
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes(raw))


# A relative symlink that climbs out, then a file written through it.
write("symlink-up-then-through.tar", [info("d", tarfile.DIRTYPE), info("d/up", tarfile.SYMTYPE, link="../../.."),
                                      info("d/up/etc/evil", data=b"x")])
# A file written through a symlink to a directory of the layer itself: still through a symlink.
write("symlink-inside-then-through.tar", [info("real", tarfile.DIRTYPE), info("alias", tarfile.SYMTYPE, link="real"),
                                          info("alias/file", data=b"x")])

# Numbers that overflow: a base-256 size above 2^63, an octal size that is not octal, a huge uid.
plain = write("overflow-size.tar", [ok_file()], fmt=tarfile.USTAR_FORMAT)
patched("overflow-size.tar", plain, 124, b"\x80" + b"\xff" * 11)
patched("not-octal-size.tar", plain, 124, b"0000000009x\0")
patched("overflow-mtime.tar", plain, 136, b"\xff" + b"\x7f" + b"\xff" * 10)

# A PAX header that never ends: it declares 8 GiB of records.
huge_pax = bytearray(write("pax-endless.tar", [info("p" * 120, data=b"data")])[:1024])
huge_pax[156:157] = b"x"
patched("pax-endless.tar", huge_pax, 124, b"%011o\0" % (8 << 30))
# Extension headers that never reach an entry: 6,000 PAX headers in a row (6 MiB).
chain = io.BytesIO()
for i in range(6000):
    ti = tarfile.TarInfo("chain")
    ti.type = tarfile.XHDTYPE
    data = b"20 comment=%08d\n" % i
    ti.size = len(data)
    chain.write(ti.tobuf(format=tarfile.USTAR_FORMAT))
    chain.write(data + b"\0" * (512 - len(data)))
chain.write(b"\0" * 1024)
with open(os.path.join(out, "pax-chain.tar"), "wb") as f:
    f.write(chain.getvalue())
