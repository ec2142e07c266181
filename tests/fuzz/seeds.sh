#!/usr/bin/env bash
# Seed inputs for a fuzz target: small, valid examples taken from the corpus.
set -euo pipefail
target=$1 out=$2
corpus=$(cd "$(dirname "$0")/../../../shared/corpus/images" && pwd)
blobs="$corpus/edge/blobs/sha256"
case $target in
  tar)
    # The edge image's uncompressed layer, and a tar with PAX, GNU long names, links and devices.
    for b in "$blobs"/*; do
      if [ "$(head -c 262 "$b" | tail -c 5 | tr -d '\0')" = "ustar" ] && [ "$(stat -c %s "$b")" -lt 65536 ]; then cp "$b" "$out/$(basename "$b").tar"; fi
    done
    zcat "$corpus/edge/blobs/sha256/e23d7e4b030b484d5c734e53ed545d41e7c5ae93407c6ea7cf44d590a8b883a6" > "$out/small-gzip-layer.tar" 2>/dev/null || true
    d=$(mktemp -d); mkdir -p "$d/t/$(printf 'x%.0s' {1..120})"; ln -s target "$d/t/link"; printf 'data' > "$d/t/f"; ln "$d/t/f" "$d/t/hard"
    tar --format=gnu -cf "$out/gnu.tar" -C "$d" t; tar --format=pax -cf "$out/pax.tar" -C "$d" t; rm -rf "$d"
    ;;
  manifest|index|config)
    for b in "$blobs"/*; do
      head -c 1 "$b" | grep -q '{' || continue
      kind=other
      grep -q '"rootfs"' "$b" && kind=config
      grep -q '"manifests"' "$b" && kind=index
      grep -q '"config":{"mediaType"' "$b" && kind=manifest
      [ "$kind" = "$target" ] && cp "$b" "$out/"
    done
    [ "$target" = index ] && cp "$corpus/edge/index.json" "$out/"
    ;;
esac
ls "$out" | grep -q . || { echo "no seeds for $target" >&2; exit 1; }
