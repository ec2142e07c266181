#!/usr/bin/env bash
# build.sh OUTDIR — the example image: a busybox rootfs packed as an OCI image layout.
#
# Made from the host's Debian busybox-static (/bin/busybox), without network and
# without umoci, so that `make example` needs nothing but coreutils, GNU tar, gzip,
# sha256sum and jq.  The output is deterministic: the same busybox binary and the
# same version of this script give byte-identical blobs (fixed mtimes, numeric
# owners 0:0, sorted entries, no atime/ctime, gzip without name or timestamp).
#
# OUTDIR/.build-inputs records what the image was made from; when it matches,
# the script does nothing (make calls it on every `make demo` / `make test`).
set -euo pipefail

usage() { echo "usage: $0 OUTDIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
out=$1

BUSYBOX=${BUSYBOX:-/bin/busybox}
EPOCH=1700000000                          # 2023-11-14T22:13:20Z, as the shared corpus
CREATED=$(date -u -d "@$EPOCH" +%Y-%m-%dT%H:%M:%SZ)
TAG=latest

for tool in tar gzip sha256sum jq; do
  command -v "$tool" >/dev/null || { echo "$0: missing tool: $tool" >&2; exit 1; }
done
[ -x "$BUSYBOX" ] || { echo "$0: $BUSYBOX not found (apt-get install busybox-static)" >&2; exit 1; }

# What the image depends on: the busybox binary and this script (the recipe).
inputs="busybox $(sha256sum < "$BUSYBOX" | cut -d' ' -f1)
recipe $(sha256sum < "${BASH_SOURCE[0]}" | cut -d' ' -f1)"
if [ -f "$out/index.json" ] && [ "$(cat "$out/.build-inputs" 2>/dev/null)" = "$inputs" ]; then
  exit 0
fi

# Build beside OUTDIR and swap it in at the end, so an interrupted build never
# leaves a half-written layout that a later run would take as up to date.
parent=$(dirname "$out")
mkdir -p "$parent"
work=$(mktemp -d "$parent/.busybox-build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ---- the root filesystem
root=$work/rootfs
install -d -m 0755 "$root" "$root"/{bin,etc,dev,proc,sys,home,var,usr}
install -d -m 0700 "$root/root"
install -d -m 1777 "$root/tmp"
install -m 0755 "$BUSYBOX" "$root/bin/busybox"
"$BUSYBOX" --list | while read -r applet; do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
              'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' > "$root/etc/passwd"
printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' > "$root/etc/group"
chmod 0644 "$root/etc/passwd" "$root/etc/group"

# ---- the layer: a deterministic tar, then gzip without name or timestamp
layout=$work/layout
mkdir -p "$layout/blobs/sha256"
LC_ALL=C tar -C "$root" -cf "$work/layer.tar" \
  --sort=name --format=pax --mtime="@$EPOCH" --owner=0 --group=0 --numeric-owner \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime .
gzip -n -9 < "$work/layer.tar" > "$work/layer.tar.gz"

# Stores a file as a blob; prints its digest and size.
put_blob() {
  local hex size
  hex=$(sha256sum < "$1" | cut -d' ' -f1)
  size=$(stat -c %s "$1")
  cp "$1" "$layout/blobs/sha256/$hex"
  echo "sha256:$hex $size"
}

diff_id="sha256:$(sha256sum < "$work/layer.tar" | cut -d' ' -f1)"
read -r layer_digest layer_size < <(put_blob "$work/layer.tar.gz")
version=$("$BUSYBOX" 2>/dev/null | head -1 | cut -d' ' -f2 || true)

# jq -c writes compact JSON with keys in the order given, so the blobs are stable.
jq -nc --arg created "$CREATED" --arg diff_id "$diff_id" \
  --arg created_by "examples/busybox/build.sh (busybox-static ${version:-unknown})" '{
    created: $created, architecture: "amd64", os: "linux",
    config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"]},
    rootfs: {type: "layers", diff_ids: [$diff_id]},
    history: [{created: $created, created_by: $created_by}]
  }' > "$work/config.json"
read -r config_digest config_size < <(put_blob "$work/config.json")

jq -nc --arg cd "$config_digest" --argjson cs "$config_size" \
  --arg ld "$layer_digest" --argjson ls "$layer_size" '{
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
    layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $ld, size: $ls}]
  }' > "$work/manifest.json"
read -r manifest_digest manifest_size < <(put_blob "$work/manifest.json")

jq -nc --arg md "$manifest_digest" --argjson ms "$manifest_size" --arg tag "$TAG" '{
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
                 annotations: {"org.opencontainers.image.ref.name": $tag}}]
  }' > "$layout/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
printf '%s\n' "$inputs" > "$layout/.build-inputs"

rm -rf "$out"
mv "$layout" "$out"
echo "example image: $out ($TAG, manifest $manifest_digest)"
