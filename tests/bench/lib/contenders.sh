# The contenders: how each gets its data, mounts a dataset and unmounts it.
# (sourced by run.sh and ctl.sh; needs common.sh, oci.sh and data.sh)
#
#   native          the merged tree extracted on the same disk (the baseline; nothing mounted)
#   layerfs         the published CLI importing each image; one mount of the whole store
#   overlayfs       kernel overlayfs stacking the extracted layer directories (read-only)
#   fuse-overlayfs  the same layer directories through fuse-overlayfs
#   squashfuse_ll   a squashfs of the merged tree
#   archivemount    one uncompressed tar of the merged tree (the layer blob for one-layer images)
#   umoci           only for W7 (import): umoci unpack
#
# Layer directories use the kernel's overlay format (whiteouts as 0/0 character
# devices, opaque directories marked trusted.overlay.opaque=y), which both
# overlay implementations read.  A one-layer image's layer directory is its
# native tree; kernel overlayfs needs two lower directories without an upper
# one, so an empty directory goes under it.

MOUNTED_CONTENDERS=(layerfs overlayfs fuse-overlayfs squashfuse_ll archivemount)

# Why a contender cannot run here, or nothing if it can.
contender_missing() {
  case $1 in
    layerfs)        [ -x "$LAYERFS_CLI" ] || echo "$LAYERFS_CLI not built (make build)" ;;
    overlayfs)      grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
                      echo "kernel overlayfs not available" ;;
    fuse-overlayfs) command -v fuse-overlayfs >/dev/null || echo "fuse-overlayfs not installed (apt-get install fuse-overlayfs)" ;;
    squashfuse_ll)  command -v squashfuse_ll >/dev/null || echo "squashfuse_ll not installed (apt-get install squashfuse)"
                    command -v mksquashfs >/dev/null || echo "mksquashfs not installed (apt-get install squashfs-tools)" ;;
    archivemount)   command -v archivemount >/dev/null || echo "archivemount not installed (apt-get install archivemount)" ;;
    umoci)          command -v umoci >/dev/null || echo "umoci not installed (apt-get install umoci)" ;;
  esac
}

# Generates what a contender reads (once, in the cache).  Fails with a message on stderr.
contender_prepare() {
  local ds
  case $1 in
    overlayfs|fuse-overlayfs) cache_step layers-debian data_layers_debian ;;
    squashfuse_ll) for ds in "${DATASETS[@]}"; do cache_step "squashfs-$ds" data_squashfs "$ds" || return 1; done ;;
    archivemount) cache_step archive-debian data_archive_debian ;;
    layerfs) layerfs_import_all ;;
    *) return 0 ;;
  esac
}

# The Debian image's layers extracted one directory each, whiteouts in overlay format.
data_layers_debian() {
  local dir=$BENCH_CACHE/layers i=0 blob layer
  rm -rf "$dir"
  mkdir -p "$dir/empty"
  for blob in $(oci_layer_blobs "$BENCH_CACHE/images/debian"); do
    layer=$dir/debian/$i
    mkdir -p "$layer"
    tar -xzf "$blob" -C "$layer" --numeric-owner --xattrs --xattrs-include='*' || return 1
    convert_whiteouts "$layer" || return 1
    i=$((i + 1))
  done
}

convert_whiteouts() {
  local wh parent name
  find "$1" -name '.wh.*' -print0 | while IFS= read -r -d '' wh; do
    parent=$(dirname "$wh") name=$(basename "$wh")
    rm -f "$wh"
    if [ "$name" = .wh..wh..opq ]; then
      setfattr -n trusted.overlay.opaque -v y "$parent"
    else
      rm -rf "${parent:?}/${name#.wh.}"
      mknod "$parent/${name#.wh.}" c 0 0
    fi
  done
}

data_squashfs() {
  local ds=$1 out=$BENCH_CACHE/squashfs/$1.sqfs opts=()
  mkdir -p "$BENCH_CACHE/squashfs"
  # random bytes do not compress: mksquashfs would store every block of `big`
  # uncompressed after trying; -noD gives the same image without the wasted work
  [ "$ds" = big ] && opts=(-noD)
  rm -f "$out"
  mksquashfs "$(native_root "$ds")" "$out" -noappend -quiet -no-progress "${opts[@]}" > /dev/null
}

# archivemount 0.8.7 deadlocks on tar hard links (a READDIR of /usr/bin fails, the
# next request hangs forever), so its tar stores hard-linked files as copies.
data_archive_debian() {
  mkdir -p "$BENCH_CACHE/tars"
  deterministic_tar "$(native_root debian)" "$BENCH_CACHE/tars/debian.tar.tmp" --hard-dereference &&
    mv "$BENCH_CACHE/tars/debian.tar.tmp" "$BENCH_CACHE/tars/debian.tar"
}

# ---- LayerFs: one store per build of the CLI (the store format may change between builds)

layerfs_build_id() {
  find "$(dirname "$LAYERFS_CLI")" -maxdepth 1 \( -name '*.dll' -o -name layerfs \) -type f -print0 |
    sort -z | xargs -0 cat | sha256sum | cut -c1-12
}

layerfs_import_all() {
  local store=$LAYERFS_BENCH_STORE ds log=$BENCH_CACHE/layerfs/import.log t0
  [ -f "$store/.bench-imported" ] && return 0
  # stores of other builds are stale: remove them (they count against the cache cap)
  bench_log "layerfs: new build $(basename "$(dirname "$store")"), removing stores of other builds"
  find "$BENCH_CACHE/layerfs" -mindepth 1 -maxdepth 1 -type d ! -path "$(dirname "$store")" -exec rm -rf {} + 2>/dev/null
  rm -rf "$store"
  mkdir -p "$(dirname "$store")"
  for ds in "${DATASETS[@]}"; do
    bench_log "layerfs: importing $ds"
    t0=$EPOCHREALTIME
    if ! timeout 1200 "$LAYERFS_CLI" --store "$store" import "$BENCH_CACHE/images/$ds" --name "bench-$ds:latest" > "$log" 2>&1; then
      echo "import of $ds failed: $(grep -v '^\s*$' "$log" | tail -1)" >&2
      return 1
    fi
    bench_log "layerfs: imported $ds in $(seconds_since "$t0") s"
  done
  touch "$store/.bench-imported"
}

# ---- mounting

contender_mountpoint() {
  case $1 in
    native) native_root "$2" ;;
    layerfs) echo "$BENCH_MNT/layerfs" ;;          # one mount holds every image
    *) echo "$BENCH_MNT/$1-$2" ;;
  esac
}

# The directory holding a dataset's merged tree for a contender.
contender_root() {
  case $1 in
    layerfs) echo "$BENCH_MNT/layerfs/images/bench-$2:latest/rootfs" ;;
    *) contender_mountpoint "$1" "$2" ;;
  esac
}

# Lower directories, top first.
overlay_lowerdirs() {
  local who=$1 ds=$2
  if [ "$ds" = debian ]; then
    local d=$BENCH_CACHE/layers/debian
    echo "$d/2:$d/1:$d/0"
  elif [ "$who" = overlayfs ]; then
    echo "$(native_root "$ds"):$BENCH_CACHE/layers/empty"
  else
    native_root "$ds"
  fi
}

archive_of() {
  if [ "$1" = debian ]; then echo "$BENCH_CACHE/tars/debian.tar"
  else oci_layer_blobs "$BENCH_CACHE/images/$1"; fi
}

# The shell command that mounts a dataset for a contender (what W1 times).
contender_mount_cmd() {
  local who=$1 ds=$2 mp
  mp=$(contender_mountpoint "$who" "$ds")
  case $who in
    layerfs)        shell_quote "$LAYERFS_CLI" --store "$LAYERFS_BENCH_STORE" mount "$mp" -o suid,dev ;;
    overlayfs)      shell_quote mount -t overlay overlay -o "lowerdir=$(overlay_lowerdirs "$who" "$ds")" "$mp" ;;
    fuse-overlayfs) shell_quote fuse-overlayfs -o "lowerdir=$(overlay_lowerdirs "$who" "$ds")" "$mp" ;;
    squashfuse_ll)  shell_quote squashfuse_ll "$BENCH_CACHE/squashfs/$ds.sqfs" "$mp" ;;
    archivemount)   shell_quote archivemount -o readonly "$(archive_of "$ds")" "$mp" ;;
  esac
}

contender_mount() {
  local who=$1 ds=$2 mp
  [ "$who" = native ] && return 0
  mp=$(contender_mountpoint "$who" "$ds")
  is_mounted "$mp" && return 0
  mkdir -p "$mp"
  timeout 120 bash -c "$(contender_mount_cmd "$who" "$ds")" || return 1
  is_mounted "$mp" || { echo "$mp is not a mount point after mounting" >&2; return 1; }
}

contender_unmount() {
  local who=$1 ds=$2 mp
  [ "$who" = native ] && return 0
  mp=$(contender_mountpoint "$who" "$ds")
  if [ "$who" = layerfs ]; then
    unmount_path "$mp" timeout 30 "$LAYERFS_CLI" umount "$mp"
  else
    unmount_path "$mp"
  fi
}

# Every mount the harness made, gone (run on exit, also after Ctrl-C).
unmount_everything() {
  local mp
  [ -n "${BENCH_MNT:-}" ] && [ -d "$BENCH_MNT" ] || return 0
  mounts_below "$BENCH_MNT" | while read -r mp; do
    if [ "$mp" = "$BENCH_MNT/layerfs" ] && [ -x "${LAYERFS_CLI:-}" ]; then
      unmount_path "$mp" timeout 30 "$LAYERFS_CLI" umount "$mp"
    else
      unmount_path "$mp"
    fi
  done
  if [ -z "$(mounts_below "$BENCH_MNT")" ]; then
    find "$BENCH_MNT" -mindepth 1 -maxdepth 1 -type d -empty -delete
    rmdir "$BENCH_MNT" 2>/dev/null || true
  else
    bench_log "warning: still mounted below $BENCH_MNT: $(mounts_below "$BENCH_MNT" | tr '\n' ' ')"
  fi
}

# layerfs_foreground_mount MP LOG LEVEL [MOUNT ARGS...]: a LayerFs mount of the bench store in
# the foreground, logging to LOG, for measurements that need its log or its daemon's PID
# (LAYERFS_FOREGROUND_PID); layerfs_foreground_unmount MP ends it.
layerfs_foreground_mount() {
  local mp=$1 log=$2 level=$3; shift 3
  mkdir -p "$mp"
  "$LAYERFS_CLI" --store "$LAYERFS_BENCH_STORE" --log-level "$level" mount "$mp" -f "$@" > "$log" 2>&1 &
  LAYERFS_FOREGROUND_PID=$!
}

layerfs_foreground_unmount() {
  local mp=$1 pid=$LAYERFS_FOREGROUND_PID i
  unmount_path "$mp" timeout 30 "$LAYERFS_CLI" umount "$mp" || true
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rmdir "$mp" 2>/dev/null || true
}
