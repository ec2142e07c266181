# The benchmark's data, generated once into BENCH_CACHE (sourced by run.sh).
#
# Three images, each an OCI layout under images/ and its merged tree under native/:
#   debian  the shared corpus's Debian image (debootstrap minbase + an apt layer with
#           some 200 whiteouts) plus a third layer made here with an opaque directory
#   small   one layer of 100,000 files of 0-8 KiB in a deep tree (uncompressed tar)
#   big     one layer with a 2 GiB file of random bytes and three 100 MiB files (uncompressed)
# Each generation step runs once and leaves a marker in .done/; a step that fails
# leaves no marker and starts from scratch next time.  Bumping DATA_VERSION throws
# away everything but the corpus (the one step that needs the network).

DATA_VERSION=1
DATASETS=(debian small big)
SMALL_FILES=100000

# MiB each step adds to the cache, to check space before starting.
declare -A STEP_MIB=(
  [corpus]=320 [image-debian]=90 [native-debian]=130 [image-small]=1150 [image-big]=4800
  [layers-debian]=130 [squashfs-debian]=60 [squashfs-small]=520 [squashfs-big]=2400
  [archive-debian]=130 [layerfs-store]=3400 [scratch]=600
)

corpus_tool() { echo "$REPO/../shared/corpus/make-corpus"; }

# Runs one generation step unless its marker says it is done.
cache_step() {
  local name=$1; shift
  local marker=$BENCH_CACHE/.done/$name t0=$SECONDS
  [ -f "$marker" ] && return 0
  bench_log "preparing $name"
  "$@" || { bench_log "preparing $name failed"; return 1; }
  mkdir -p "$BENCH_CACHE/.done"
  date -u +%FT%TZ > "$marker"
  bench_log "prepared $name in $((SECONDS - t0)) s"
}

# Refuses to start when the cache would outgrow its cap or the disk would fill up.
data_check_space() {
  local need=0 step used avail cap_mib=$((BENCH_CACHE_CAP_GIB * 1024))
  for step in "${!STEP_MIB[@]}"; do
    [ -f "$BENCH_CACHE/.done/$step" ] || need=$((need + STEP_MIB[$step]))
  done
  bench_log "measuring the cache"
  used=$(du -sm "$BENCH_CACHE" | cut -f1)
  avail=$(df -m --output=avail "$BENCH_CACHE" | tail -1 | tr -d ' ')
  bench_log "cache $BENCH_CACHE: ${used} MiB used, about ${need} MiB still to generate, cap $cap_mib MiB, ${avail} MiB free on disk"
  [ $((used + need)) -le "$cap_mib" ] ||
    bench_die "the cache would grow to $((used + need)) MiB, above its cap of $cap_mib MiB (--cache-cap GIB, or remove $BENCH_CACHE)"
  [ "$need" -lt $((avail - 1024)) ] || bench_die "not enough disk space for the cache: need ${need} MiB, ${avail} MiB free"
}

data_prepare() {
  mkdir -p "$BENCH_CACHE"
  if [ "$(cat "$BENCH_CACHE/VERSION" 2>/dev/null)" != "$DATA_VERSION" ]; then
    bench_log "cache format changed: regenerating everything except the corpus"
    find "$BENCH_CACHE" -mindepth 1 -maxdepth 1 ! -name corpus -exec rm -rf {} +
    mkdir -p "$BENCH_CACHE/.done"
    [ -f "$BENCH_CACHE/corpus/debian/index.json" ] && date -u +%FT%TZ > "$BENCH_CACHE/.done/corpus"
    echo "$DATA_VERSION" > "$BENCH_CACHE/VERSION"
  fi
  rm -rf "$BENCH_CACHE/tmp" "$BENCH_CACHE/scratch"
  data_check_space
  cache_step corpus data_corpus
  cache_step image-debian data_image_debian
  cache_step native-debian data_native_debian
  cache_step image-small data_image_small
  cache_step image-big data_image_big
}

# The shared corpus's Debian image (debootstrap; needs the Debian mirror).
data_corpus() {
  local tool
  tool=$(corpus_tool)
  [ -x "$tool" ] || { bench_log "$tool not found (the shared corpus sits beside the repository)"; return 1; }
  command -v debootstrap >/dev/null || { bench_log "debootstrap is missing (apt-get install debootstrap)"; return 1; }
  rm -rf "$BENCH_CACHE/corpus"
  "$tool" --only debian "$BENCH_CACHE/corpus" 2> "$BENCH_CACHE/corpus.log" ||
    { tail -5 "$BENCH_CACHE/corpus.log" >&2; return 1; }
  rm -f "$BENCH_CACHE/corpus/debian.docker.tar"     # not used here, 150 MB
}

# The corpus's two layers plus a third with an opaque /usr/share/locale, which
# hides the 860 entries the lower layers put there.
data_image_debian() {
  local corpus=$BENCH_CACHE/corpus/debian tmp=$BENCH_CACHE/tmp/debian-layer3
  rm -rf "$tmp"
  mkdir -p "$tmp/root/usr/share/locale/C" "$tmp/root/etc"
  : > "$tmp/root/usr/share/locale/.wh..wh..opq"
  echo "Layer 3 of the benchmark's Debian image: an opaque directory." > "$tmp/root/usr/share/locale/README.bench"
  echo "C locale placeholder" > "$tmp/root/usr/share/locale/C/README"
  echo "benchmark layer 3" > "$tmp/root/etc/bench-layer3"
  chmod -R u=rwX,go=rX "$tmp/root"
  deterministic_tar "$tmp/root" "$tmp/layer3.tar"
  local diff3=sha256:$(sha256_of "$tmp/layer3.tar")
  gzip -n < "$tmp/layer3.tar" > "$tmp/layer3.tar.gz"

  local config blobs diffs created_by specs=() i
  config=$(oci_config "$corpus")
  mapfile -t blobs < <(oci_layer_blobs "$corpus")
  mapfile -t diffs < <(jq -r '.rootfs.diff_ids[]' "$config")
  for i in "${!blobs[@]}"; do
    created_by=$(jq -r --argjson i "$i" '.history | map(select(.empty_layer != true))[$i].created_by' "$config")
    specs+=("$MT_LAYER_GZIP|${blobs[$i]}|${diffs[$i]}|$created_by")
  done
  specs+=("$MT_LAYER_GZIP|$tmp/layer3.tar.gz|$diff3|bench: opaque /usr/share/locale")
  oci_image "$BENCH_CACHE/images/debian" "$(jq -c .config "$config")" "${specs[@]}"
  rm -rf "$tmp"
}

# The merged Debian tree, as umoci unpacks it (umoci applies whiteouts and opaque directories).
data_native_debian() {
  local bundle=$BENCH_CACHE/tmp/debian-bundle
  rm -rf "$bundle" "$BENCH_CACHE/native/debian"
  mkdir -p "$BENCH_CACHE/native" "$BENCH_CACHE/tmp"
  umoci unpack --image "$BENCH_CACHE/images/debian:latest" "$bundle" > /dev/null || return 1
  mv "$bundle/rootfs" "$BENCH_CACHE/native/debian"
  rm -rf "$bundle"
  # W1's deep file: the deepest regular file (ties broken by name)
  (cd "$BENCH_CACHE/native/debian" && find . -type f -printf '%d %P\n' | LC_ALL=C sort -k1,1nr -k2 | sed -n '1s/^[0-9]* //p') \
    > "$BENCH_CACHE/native/debian.deep-file"
}

# One layer: the generated small-files tree, also kept as its native tree.
data_image_small() {
  local native=$BENCH_CACHE/native/small tmp=$BENCH_CACHE/tmp
  rm -rf "$native" "$native.tmp" "$BENCH_CACHE/images/small"
  mkdir -p "$tmp" "$native.tmp"
  python3 "$BENCH_HOME/gen-small-files.py" "$native.tmp" "$SMALL_FILES" || return 1
  mv "$native.tmp" "$native"
  deterministic_tar "$native" "$tmp/small.tar"
  oci_image "$BENCH_CACHE/images/small" '{"Cmd":["sh"]}' \
    "$MT_LAYER_TAR|$tmp/small.tar|sha256:$(sha256_of "$tmp/small.tar")|bench: $SMALL_FILES files of 0-8 KiB"
  rm -f "$tmp/small.tar"
}

# One layer: big.bin (2 GiB of random bytes) and three 100 MiB files.
data_image_big() {
  local native=$BENCH_CACHE/native/big tmp=$BENCH_CACHE/tmp i
  rm -rf "$native" "$native.tmp" "$BENCH_CACHE/images/big"
  mkdir -p "$tmp" "$native.tmp"
  head -c 2G /dev/urandom > "$native.tmp/big.bin"
  for i in 1 2 3; do head -c 100M /dev/urandom > "$native.tmp/medium-$i.bin"; done
  mv "$native.tmp" "$native"
  deterministic_tar "$native" "$tmp/big.tar"
  oci_image "$BENCH_CACHE/images/big" '{"Cmd":["sh"]}' \
    "$MT_LAYER_TAR|$tmp/big.tar|sha256:$(sha256_of "$tmp/big.tar")|bench: 2 GiB + 3 x 100 MiB of random bytes"
  rm -f "$tmp/big.tar"
}

# Where a dataset's merged tree is on the native disk.
native_root() { echo "$BENCH_CACHE/native/$1"; }
deep_file() { cat "$BENCH_CACHE/native/debian.deep-file"; }
