# W9 and W10: writable views (sourced by run.sh and view-ctl.sh; needs contenders.sh).
#
#   W9   untar the Debian rootfs (one tar, hard links as copies) into a fresh writable layer
#        over the Debian image: a LayerFs view, kernel overlayfs and fuse-overlayfs with new
#        upper directories over the image's layer directories; native untars into an empty
#        directory on the same disk.
#   W10  make a writable layer over the Debian image: `layerfs view create` (target: under
#        100 ms whatever the image's size); overlayfs and fuse-overlayfs: new upper and work
#        directories and the mount; native: an empty directory.

VIEW_CONTENDERS=(layerfs overlayfs fuse-overlayfs)

view_scratch() { echo "$BENCH_CACHE/scratch/views/$1"; }

# Where W9 extracts for a contender.
view_root() {
  case $1 in
    native) echo "$(view_scratch native)/root" ;;
    layerfs) echo "$BENCH_MNT/layerfs/views/bench-w9/rootfs" ;;
    *) echo "$BENCH_MNT/view-$1" ;;
  esac
}

# The command that makes a contender's writable layer (what W10 times).
view_make_cmd() {
  local who=$1 s
  s=$(view_scratch "$who")
  case $who in
    native) shell_quote mkdir -p "$s/root" ;;
    layerfs) echo "$(shell_quote "$LAYERFS_CLI" --store "$LAYERFS_BENCH_STORE" view create bench-w9 --from bench-debian:latest) > /dev/null" ;;
    overlayfs) echo "mkdir -p $(shell_quote "$s/upper" "$s/work" "$(view_root "$who")") && $(shell_quote mount -t overlay overlay -o "lowerdir=$(overlay_lowerdirs "$who" debian),upperdir=$s/upper,workdir=$s/work" "$(view_root "$who")")" ;;
    fuse-overlayfs) echo "mkdir -p $(shell_quote "$s/upper" "$s/work" "$(view_root "$who")") && $(shell_quote fuse-overlayfs -o "lowerdir=$(overlay_lowerdirs "$who" debian),upperdir=$s/upper,workdir=$s/work" "$(view_root "$who")")" ;;
  esac
}

view_make() { bash -c "$(view_make_cmd "$1")"; }

view_clear() {
  local who=$1
  case $who in
    layerfs) "$LAYERFS_CLI" --store "$LAYERFS_BENCH_STORE" view rm bench-w9 > /dev/null 2>&1 || true ;;
    overlayfs|fuse-overlayfs) unmount_path "$(view_root "$who")" ;;
  esac
  rm -rf "$(view_scratch "$who")"
}

run_view_workloads() {
  local who slot
  mkdir -p "$BENCH_CACHE/scratch/views"
  if wanted W9 && ! cache_step archive-debian data_archive_debian; then
    bench_log "W9: no Debian tar"
  fi
  for who in layerfs; do
    [ -z "$(not_ready "$who" W9/view)" ] && contender_mount "$who" debian > /dev/null 2>&1 || true
  done
  wanted W9 && view_row W9 "${VIEW_CONTENDERS[@]}"
  wanted W10 && view_row W10 "${VIEW_CONTENDERS[@]}"
  for who in native "${VIEW_CONTENDERS[@]}"; do view_clear "$who"; done
  rm -rf "$BENCH_CACHE/scratch/views"
}

# view_row ID CONTENDER... — native, then each contender bracketed by native runs.
view_row() {
  local id=$1 slot=0 who state; shift
  view_slot "$id" native "$slot"
  for who in "$@"; do
    state=$(not_ready "$who" "$id/view")
    [ -z "$state" ] && state=$(contender_missing "$who")
    if [ -n "$state" ]; then
      record "$id/view" "$who" "$slot" "${state%%:*}" "${state#*: }"
      continue
    fi
    view_slot "$id" "$who" "$slot"
    slot=$((slot + 1))
    view_slot "$id" native "$slot"
  done
}

view_slot() {
  local id=$1 who=$2 slot=$3 ctl="bash $BENCH_HOME/view-ctl.sh" runs
  if [ "$id" = W9 ]; then
    runs=$RUNS_IMPORT
    measure W9/view "$who" "$slot" "$runs" 0 "$ctl fresh $who" \
      "tar --numeric-owner -xf $(shell_quote "$BENCH_CACHE/tars/debian.tar") -C $(shell_quote "$(view_root "$who")") && sync"
  else
    runs=$RUNS_WARM
    measure W10/view "$who" "$slot" "$runs" 0 "$ctl clear $who" "$(view_make_cmd "$who")"
  fi
  view_clear "$who"
}
