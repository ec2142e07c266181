#!/usr/bin/env python3
"""gen-small-files.py DIR [COUNT] — the benchmark's small-files tree.

Writes COUNT (default 100,000) regular files of 0-8 KiB of pseudo-random bytes
into a deep tree under DIR: 8 levels of directories, 3 per level (9,841
directories), files dealt round-robin over every directory, so each directory
holds about 10 files.  The content is random so that no two files share an
object in LayerFs's store (no dedup advantage) and compression gains nothing.
Same COUNT, same tree and bytes (fixed seed); mtimes are left to the tar that
packs it.
"""
import os
import random
import sys

DEPTH = 8
FANOUT = 3
MAX_SIZE = 8 * 1024
SEED = 1700000000


def directories(root):
    """Every directory of the tree, parents before children, in a stable order."""
    out = [root]
    level = [root]
    for depth in range(DEPTH):
        level = [os.path.join(parent, "d%d-%d" % (depth, i)) for parent in level for i in range(FANOUT)]
        out.extend(level)
    return out


def main():
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    root = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) == 3 else 100_000
    rng = random.Random(SEED)
    dirs = directories(os.path.join(root, "tree"))
    for d in dirs:
        os.makedirs(d, exist_ok=True)
    for n in range(count):
        size = rng.randint(0, MAX_SIZE)
        path = os.path.join(dirs[n % len(dirs)], "f%06d" % n)
        with open(path, "wb") as f:
            f.write(rng.randbytes(size))


if __name__ == "__main__":
    main()
