#!/usr/bin/env bash
# run.sh [--quick] [--only W1,W2,...] [--contenders a,b,...] [--cache DIR] [--cache-cap GIB] [--results DIR]
#
# The LayerFs benchmark (issue 7): LayerFs against native disk, kernel overlayfs,
# fuse-overlayfs, squashfuse_ll and archivemount (and umoci for imports) on the
# same data on this machine.  Every claim is a ratio to native measured in the
# same run; absolute times mean little on a shared machine.
#
#   --quick           smoke run (make bench QUICK=1): fewer runs, native only at both ends of a row
#   --only LIST       workloads to run, e.g. W2,W6 or M1 (daemon memory; default: all)
#   --contenders LIST restrict the contenders (default: all; native always runs)
#   --cache DIR       data cache, outside the repository (default $LAYERFS_BENCH_CACHE or /var/tmp/layerfs-bench)
#   --cache-cap GIB   refuse to grow the cache beyond this (default 20)
#   --results DIR     where results go (default bench-results/ in the repository)
#
# Needs root (drop_caches, mount).  Writes RESULTS/<UTC time>/{results.json,results.md,results.txt,raw/}
# and points RESULTS/latest at it.  Every mount it makes is unmounted on exit, Ctrl-C included.
set -euo pipefail
umask 022

BENCH_HOME=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$BENCH_HOME/../.." && pwd)
QUICK=0 ONLY="" ONLY_CONTENDERS="" RESULTS=$REPO/bench-results
BENCH_CACHE=${LAYERFS_BENCH_CACHE:-/var/tmp/layerfs-bench}
BENCH_CACHE_CAP_GIB=${LAYERFS_BENCH_CACHE_CAP_GIB:-20}
LAYERFS_CLI=${LAYERFS_CLI:-$REPO/out/layerfs/layerfs}

while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --only) ONLY=${2^^}; shift ;;
    --contenders) ONLY_CONTENDERS=$2; shift ;;
    --cache) BENCH_CACHE=$2; shift ;;
    --cache-cap) BENCH_CACHE_CAP_GIB=$2; shift ;;
    --results) RESULTS=$2; shift ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

source "$BENCH_HOME/lib/common.sh"
source "$BENCH_HOME/lib/oci.sh"
source "$BENCH_HOME/lib/data.sh"
source "$BENCH_HOME/lib/contenders.sh"
source "$BENCH_HOME/lib/workloads.sh"
source "$BENCH_HOME/lib/views.sh"
source "$BENCH_HOME/lib/memory.sh"

[ "$(id -u)" -eq 0 ] || bench_die "run as root (dropping caches and mounting need it)"
for tool in hyperfine fio jq python3 umoci tar gzip sha256sum setfattr; do
  command -v "$tool" >/dev/null || bench_die "missing tool: $tool (make deps-bench installs the benchmark's packages)"
done
BENCH_CACHE=$(mkdir -p "$BENCH_CACHE" && cd "$BENCH_CACHE" && pwd)
case $BENCH_CACHE/ in "$REPO"/*) bench_die "the cache must be outside the repository" ;; esac
LAYERFS_CLI=$(realpath -m "$LAYERFS_CLI")
export BENCH_HOME BENCH_CACHE BENCH_CACHE_CAP_GIB LAYERFS_CLI REPO

# one benchmark at a time per cache
exec 9> "$BENCH_CACHE/.lock"
flock -n 9 || bench_die "another benchmark is using $BENCH_CACHE"

STARTED=$(date +%s)
RUN_DIR=$RESULTS/$(date -u -d "@$STARTED" +%Y%m%dT%H%M%SZ)
RAW=$RUN_DIR/raw
mkdir -p "$RAW"
: > "$RAW/rows.jsonl"; : > "$RAW/records.jsonl"; : > "$RAW/checks.jsonl"
BENCH_MNT=$(mktemp -d /tmp/layerfs-bench.XXXXXX)
export BENCH_MNT
REPORTED=0

on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  # a measurement still running (interrupted): its process group, hyperfine and the timed command
  [ -n "${MEASURING_PID:-}" ] && { kill -TERM -- "-$MEASURING_PID" 2>/dev/null || true; wait "$MEASURING_PID" 2>/dev/null || true; }
  unmount_everything
  restore_fuse_uring
  rm -rf "$BENCH_CACHE/scratch"
  if [ "$REPORTED" = 0 ] && [ -s "$RAW/rows.jsonl" ]; then
    bench_log "interrupted: writing what was measured"
    write_report partial || true
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the machine

kernel_passthrough() {
  local cfg
  cfg=$( { zcat /proc/config.gz 2>/dev/null || cat "/boot/config-$(uname -r)" 2>/dev/null; } | grep '^CONFIG_FUSE_PASSTHROUGH=' || true)
  case $cfg in *=y) echo yes ;; "") echo unknown ;; *) echo no ;; esac
}

tool_version() {
  local out
  out=$("$@" 2>&1 || true)
  grep -m1 -oE '[0-9]+\.[0-9]+(\.[0-9]+)?' <<<"$out" || echo unknown
}

write_machine() {
  jq -n --argjson cores "$(nproc)" \
    --arg mem "$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)" \
    --arg kernel "$(uname -r)" \
    --arg cpu "$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
    --arg cache_fs "$(df --output=fstype,source "$BENCH_CACHE" | tail -1 | tr -s ' ')" \
    --arg pt "$(kernel_passthrough)" --arg uring "$FUSE_URING_STATE" \
    --arg hyperfine "$(tool_version hyperfine --version)" --arg fio "$(tool_version fio --version)" \
    --arg fuse_overlayfs "$(tool_version fuse-overlayfs --version)" \
    --arg squashfuse "$(tool_version squashfuse --version)" \
    --arg archivemount "$(tool_version archivemount --version)" --arg umoci "$(tool_version umoci --version)" \
    '{cores: $cores, memory_gib: ($mem | tonumber), kernel: $kernel, cpu: $cpu, cache_fs: $cache_fs,
      fuse_passthrough_kernel: $pt, layerfs_passthrough: "not reported", fuse_io_uring: $uring,
      tools: {hyperfine: $hyperfine, fio: $fio, "fuse-overlayfs": $fuse_overlayfs, squashfuse: $squashfuse,
              archivemount: $archivemount, umoci: $umoci}}' > "$RAW/machine.json"
}

# ---- the contenders

declare -A CONTENDER_STATE=() CONTENDER_DETAIL=()
LAYERFS_IMPORT_STATE=""

selected() { [ -z "$ONLY_CONTENDERS" ] || [[ ",$ONLY_CONTENDERS," == *",$1,"* ]]; }

# Records a contender's state for the report and for the rows ("" = ready).
contender_state() {
  local who=$1 state=$2
  CONTENDER_STATE[$who]=$state
  if [ -n "$state" ]; then
    bench_log "$who: $state"
    jq -nc --arg n "$who" --arg s "${state%%:*}" --arg d "${state#*: }" '{name: $n, status: $s, detail: $d}' >> "$RAW/contenders.jsonl"
  else
    jq -nc --arg n "$who" '{name: $n, status: "ok", detail: ""}' >> "$RAW/contenders.jsonl"
  fi
}

# Counts the entries of a dataset's tree as a contender shows it: a contender
# that shows a different tree than native would compare different work.
check_entries() {
  local who=$1 ds=$2 n native
  native=$(find "$(native_root "$ds")" | wc -l)
  n=$(timeout -k 5 120 find "$(contender_root "$who" "$ds")" 2>/dev/null | wc -l) || true
  jq -nc --arg who "$who" --arg ds "$ds" --argjson n "$n" --argjson native "$native" \
    '{contender: $who, dataset: $ds, entries: $n, native_entries: $native}' >> "$RAW/checks.jsonl"
  [ "$n" -eq "$native" ] || bench_log "warning: $who shows $n entries in $ds, native $native"
}

setup_contenders() {
  local who reason log=$RAW/setup.log ds failed
  : > "$RAW/contenders.jsonl"
  [ -x "$LAYERFS_CLI" ] || LAYERFS_IMPORT_STATE="missing: $LAYERFS_CLI not built (make build)"
  for who in "${MOUNTED_CONTENDERS[@]}" umoci; do
    if ! selected "$who"; then contender_state "$who" "skipped: not among --contenders"; continue; fi
    reason=$(contender_missing "$who")
    if [ -n "$reason" ]; then contender_state "$who" "missing: $(head -1 <<<"$reason")"; continue; fi
    [ "$who" = umoci ] && { contender_state umoci ""; continue; }
    # (its progress goes to the terminal as well as to the log the failure is read from)
    if ! { contender_prepare "$who" 2>&1 1>&3 | tee "$log" >&2; } 3>&1; then
      contender_state "$who" "failed: preparing its data: $(grep -v '^\s*$' "$log" | tail -1)"
      continue
    fi
    failed=""
    for ds in "${DATASETS[@]}"; do
      if ! contender_mount "$who" "$ds" > "$RAW/mount-$who-$ds.log" 2>&1; then
        failed="mount failed: $(grep -v '^\s*$' "$RAW/mount-$who-$ds.log" | tail -1 | cut -c1-200)"
        break
      fi
      check_entries "$who" "$ds"
    done
    contender_state "$who" "${failed:+failed: $failed}"
  done
  jq -s . "$RAW/contenders.jsonl" > "$RAW/contenders.json"
  [ -z "${CONTENDER_STATE[layerfs]-x}" ] && layerfs_passthrough_probe
  return 0
}

# Whether LayerFs serves reads by FUSE passthrough here: a short extra mount in
# the foreground, whose log says so ("serving STORE at MNT (passthrough True)").
layerfs_passthrough_probe() {
  local mp=$BENCH_MNT/layerfs-probe log=$RAW/layerfs-probe.log i answer
  layerfs_foreground_mount "$mp" "$log" information -o suid,dev
  for i in $(seq 100); do is_mounted "$mp" && grep -q passthrough "$log" && break; sleep 0.1; done
  layerfs_foreground_unmount "$mp"
  answer=$(grep -o -m1 'passthrough [A-Za-z]*' "$log" | head -1 | cut -d' ' -f2)
  case ${answer,,} in true) answer=yes ;; false) answer=no ;; *) answer="not reported" ;; esac
  jq --arg pt "$answer" '.layerfs_passthrough = $pt' "$RAW/machine.json" > "$RAW/machine.tmp" &&
    mv "$RAW/machine.tmp" "$RAW/machine.json"
}

# ---- the report

write_report() {
  local partial=${1:-}
  local commit
  commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
  [ -n "$(git -C "$REPO" status --porcelain 2>/dev/null | head -1)" ] && commit+=" (with uncommitted changes)"
  [ -f "$RAW/contenders.json" ] || jq -s . "$RAW/contenders.jsonl" > "$RAW/contenders.json" 2>/dev/null || echo '[]' > "$RAW/contenders.json"
  jq -n --arg started "$(utc_time "$STARTED")" --arg finished "$(utc_time "$(date +%s)")" \
    --argjson duration "$(($(date +%s) - STARTED))" --argjson quick "$([ "$QUICK" = 1 ] && echo true || echo false)" \
    --arg commit "$commit" --argjson partial "$([ -n "$partial" ] && echo true || echo false)" \
    --slurpfile machine "$RAW/machine.json" \
    '{schema: 1, started: $started, finished: $finished, duration_s: $duration, quick: $quick,
      partial: $partial, commit: $commit, machine: $machine[0]}' > "$RAW/run.json"
  jq -n --slurpfile rows "$RAW/rows.jsonl" --slurpfile records "$RAW/records.jsonl" \
    --slurpfile checks "$RAW/checks.jsonl" --slurpfile contenders "$RAW/contenders.json" \
    --slurpfile run "$RAW/run.json" -f "$BENCH_HOME/report/results.jq" > "$RUN_DIR/results.json"
  jq -r --arg format markdown -f "$BENCH_HOME/report/render.jq" "$RUN_DIR/results.json" > "$RUN_DIR/results.md"
  {
    jq -r --arg format tsv -f "$BENCH_HOME/report/render.jq" "$RUN_DIR/results.json" | column -t -s $'\t'
    echo
    jq -r --arg format notes -f "$BENCH_HOME/report/render.jq" "$RUN_DIR/results.json"
  } > "$RUN_DIR/results.txt"
  if [ -f "$RAW/memory.json" ]; then
    jq --slurpfile m "$RAW/memory.json" '.memory = $m[0]' "$RUN_DIR/results.json" > "$RAW/results.tmp" &&
      mv "$RAW/results.tmp" "$RUN_DIR/results.json"
    { echo; memory_summary; } | tee -a "$RUN_DIR/results.md" >> "$RUN_DIR/results.txt"
  fi
  ln -sfn "$(basename "$RUN_DIR")" "$RESULTS/latest"
  REPORTED=1
  echo
  cat "$RUN_DIR/results.txt"
  echo
  bench_log "results: $RUN_DIR/results.{txt,md,json}"
}

# ---- main

bench_params
[ "$QUICK" = 1 ] && TIME_BUDGET=${LAYERFS_BENCH_BUDGET:-240} || TIME_BUDGET=${LAYERFS_BENCH_BUDGET:-1500}
export LAYERFS_BENCH_STORE
enable_fuse_uring
write_machine
data_prepare
LAYERFS_BENCH_STORE=$BENCH_CACHE/layerfs/$( [ -x "$LAYERFS_CLI" ] && layerfs_build_id || echo none)/store
export LAYERFS_BENCH_STORE
setup_contenders
BENCH_T0=$SECONDS          # the time budget counts from here: data generation happens once
bench_log "measuring ($([ "$QUICK" = 1 ] && echo quick || echo full) run, budget $TIME_BUDGET s)"
run_workloads
wanted M1 && run_memory_workload
write_report
