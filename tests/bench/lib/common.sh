# Shared helpers of the benchmark harness (sourced by run.sh, ctl.sh and fuse-loopback.sh).
#
# Environment every part of the harness reads (run.sh exports it, so that the
# --prepare commands hyperfine runs through ctl.sh see the same values):
#   BENCH_HOME   tests/bench            BENCH_CACHE  the data cache (outside the repo)
#   BENCH_MNT    per-run directory holding every mount point the harness makes
#   LAYERFS_CLI  the published CLI      LAYERFS_BENCH_STORE  the store it mounts

bench_log() { printf 'bench %s: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
bench_die() { bench_log "error: $*"; exit 1; }

# Cold caches: write back dirty pages, then drop page cache, dentries and inodes.
drop_caches() {
  sync
  echo 3 > /proc/sys/vm/drop_caches
}

# FUSE over io_uring (Linux 6.14+) is offered to daemons only while the fuse module's enable_uring
# is Y. LayerFs's binding uses it when offered; the other contenders' libfuse leaves it alone unless
# told to. The benchmark turns it on for its run and puts it back afterwards (restore_fuse_uring).
FUSE_URING_PARAM=/sys/module/fuse/parameters/enable_uring
FUSE_URING_SAVED=
FUSE_URING_STATE=off
enable_fuse_uring() {
  if [ -w "$FUSE_URING_PARAM" ]; then
    FUSE_URING_SAVED=$(cat "$FUSE_URING_PARAM")
    echo Y > "$FUSE_URING_PARAM"
    FUSE_URING_STATE=on
  else
    FUSE_URING_STATE="not in this kernel"
  fi
}
restore_fuse_uring() {
  if [ -n "$FUSE_URING_SAVED" ]; then echo "$FUSE_URING_SAVED" > "$FUSE_URING_PARAM"; FUSE_URING_SAVED=; fi
}

# Read from mountinfo rather than by stat(2): a FUSE mount whose daemon died or
# hangs fails or blocks stat, and must still count as mounted.
is_mounted() {
  awk -v mp="$1" '$5 == mp { found = 1 } END { exit !found }' /proc/self/mountinfo
}

# Unmounts one mount point: the given command first (a FUSE tool's own way),
# then umount(8), then a lazy unmount as the last resort; a FUSE daemon that
# still serves the mount point after that is stuck, and is ended.
unmount_path() {
  local mp=$1; shift
  is_mounted "$mp" || return 0
  if [ $# -gt 0 ]; then "$@" >/dev/null 2>&1 || true; fi
  is_mounted "$mp" && { umount "$mp" 2>/dev/null || true; }
  is_mounted "$mp" && { sleep 0.5; umount "$mp" 2>/dev/null || true; }
  if is_mounted "$mp"; then
    bench_log "warning: $mp is busy, unmounting lazily"
    umount -l "$mp" 2>/dev/null || true
    end_daemons_of "$mp"
  fi
  ! is_mounted "$mp"
}

# Ends the daemons that serve a mount point, by PID: the processes whose command
# line has the mount point as an argument.  Mount points are unique to one run
# of the harness, so these are processes the harness started (e.g. archivemount
# deadlocked on a hard link, which ignores SIGTERM).
end_daemons_of() {
  local mp=$1 pid pids=()
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
    if { tr '\0' '\n' < "/proc/$pid/cmdline"; } 2>/dev/null | grep -qxF -- "$mp"; then
      case $(cat "/proc/$pid/comm" 2>/dev/null) in
        bash|sh|timeout|hyperfine|find|ls|tar|dd|fio|stat|chroot) ;;   # not daemons: our own commands
        *) pids+=("$pid") ;;
      esac
    fi
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  bench_log "ending stuck daemon(s) of $mp: ${pids[*]}"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  sleep 2
  kill -KILL "${pids[@]}" 2>/dev/null || true
}

# Every mount point at or below a directory, deepest first (from mountinfo, where
# the 5th field is the mount point with spaces and the like as octal escapes).
mounts_below() {
  local base=$1
  awk -v base="$base" '$5 == base || index($5, base "/") == 1 { print $5 }' /proc/self/mountinfo |
    while read -r mp; do printf '%b\n' "$mp"; done | sort -r
}

# Formats seconds since the epoch as RFC 3339 UTC.
utc_time() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# Quotes each argument for a shell command line (for hyperfine commands).
shell_quote() { printf '%q ' "$@"; }

# Seconds (one decimal) since a value of $EPOCHREALTIME.
seconds_since() { awk -v t0="$1" -v t1="$EPOCHREALTIME" 'BEGIN { printf "%.1f", t1 - t0 }'; }
