#!/usr/bin/env python3
"""Finds where `umoci unpack` departs from the OCI layer rules, so a test can correct its tree.

umoci applies a whiteout that a layer puts below one of its own symlinks by resolving the
symlink (replace/dir2symlink -> ../files, then replace/dir2symlink/.wh.hello.txt deletes
files/hello.txt). The spec says a whiteout names a path of the lower layers, never followed
through the layer's own symlink, so that file must stay.

Usage: reference_fixups.py OCI_DIR TAG
For each such whiteout, writes a tag "below-K" into OCI_DIR (the image cut to the layers
below layer K, for umoci to unpack) and prints JSON: [{"layer": K, "tag": "below-K",
"path": "<hex of the path umoci wrongly deleted>"}].
"""
import gzip
import hashlib
import json
import os
import posixpath
import sys
import tarfile


def blob(oci, digest):
    return os.path.join(oci, "blobs", digest.split(":")[0], digest.split(":")[1])


def put(oci, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    with open(blob(oci, digest), "wb") as f:
        f.write(data)
    return digest


def norm(name):
    name = name[2:] if name.startswith("./") else name
    return name.rstrip("/")


def main():
    oci, tag = sys.argv[1], sys.argv[2]
    with open(os.path.join(oci, "index.json")) as f:
        index = json.load(f)
    desc = next(m for m in index["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag)
    with open(blob(oci, desc["digest"]), "rb") as f:
        manifest = json.load(f)
    with open(blob(oci, manifest["config"]["digest"]), "rb") as f:
        config = json.load(f)

    layers = []
    for layer in manifest["layers"]:
        opener = gzip.open if layer["mediaType"].endswith("gzip") else open
        with opener(blob(oci, layer["digest"]), "rb") as raw, tarfile.open(fileobj=raw, mode="r|") as tar:
            layers.append({norm(m.name): (m.issym(), m.linkname) for m in tar})

    fixes = []
    added = False
    for k, members in enumerate(layers):
        for name in members:
            parent, base = posixpath.split(name)
            if not base.startswith(".wh.") or base == ".wh..wh..opq" or parent not in members:
                continue
            is_symlink, target = members[parent]
            if not is_symlink:
                continue
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.join(posixpath.dirname(parent), target)
            path = posixpath.normpath(posixpath.join(resolved, base[4:]))
            # Only if no later layer changes that path itself.
            head, tail = posixpath.split(path)
            if any(path in later or posixpath.join(head, ".wh." + tail) in later for later in layers[k + 1:]):
                continue
            below = "below-%d" % k
            if not any(m.get("annotations", {}).get("org.opencontainers.image.ref.name") == below for m in index["manifests"]):
                cut = dict(config)
                cut["rootfs"] = {"type": "layers", "diff_ids": config["rootfs"]["diff_ids"][:k]}
                cut.pop("history", None)
                cut_config = json.dumps(cut).encode()
                cut_manifest = dict(manifest)
                cut_manifest["config"] = dict(manifest["config"], digest=put(oci, cut_config), size=len(cut_config))
                cut_manifest["layers"] = manifest["layers"][:k]
                data = json.dumps(cut_manifest).encode()
                added = True
                index["manifests"].append({"mediaType": desc["mediaType"], "digest": put(oci, data), "size": len(data),
                                           "annotations": {"org.opencontainers.image.ref.name": below}})
            fixes.append({"layer": k, "tag": below, "path": path.encode("utf-8", "surrogateescape").hex()})
    if added:
        with open(os.path.join(oci, "index.json"), "w") as f:
            json.dump(index, f)
    json.dump(fixes, sys.stdout)


main()
