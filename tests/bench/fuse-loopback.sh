#!/usr/bin/env bash
# Benchmarks the LayerFs.Fuse binding through the Loopback example against native access and
# bindfs, all in one run over the same data:
#   walk      find -printf with an lstat of every entry, over --files files (default 100 000)
#   read-all  cat of every one of those files
#   seq       one --big file (default 2 GiB) read sequentially with dd, page cache warm and cold
#   rand      fio 4 KiB random reads (psync, 1 job) of that file, warm, in interleaved rounds
# Kernel overlayfs over the same directory is measured for seq and rand as a reference: it reads
# its lower files through the same kernel path as FUSE passthrough (backing files), so its ratio to
# native is the cost of stacking itself, which no FUSE daemon can go below.
# Targets (issue 3): walk >= 2x faster than bindfs; passthrough seq/rand within 10% of native;
# without passthrough >= 1 GiB/s sequential warm.
# Needs root (drop_caches, mount), hyperfine, fio, bindfs, jq. Not run by the test suite.
#
# usage: tests/bench/fuse-loopback.sh [--files N] [--big SIZE] [--data DIR] [--quick] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/bench/lib/common.sh

files=100000
big=2G
data=/var/tmp/layerfs-fuse-bench
out=
walk_runs=2
rand_rounds=15
while [ $# -gt 0 ]; do
  case "$1" in
    --files) files=$2; shift 2 ;;
    --big) big=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --quick) files=5000; big=256M; walk_runs=1; rand_rounds=5; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "run as root (drop_caches, mounts)" >&2; exit 1; }
for tool in hyperfine fio bindfs jq dotnet; do command -v $tool >/dev/null || { echo "missing $tool" >&2; exit 1; }; done

loopback=examples/Loopback/bin/Release/net10.0/Loopback
dotnet build examples/Loopback -c Release -nologo -v q >/dev/null
# one data set per size, so that a quick run does not throw away the full run's data
src=$data/$files-files-$big
bigfile=big.bin

# --- data, made once and reused -------------------------------------------------------------
if [ ! -f "$src/.complete" ]; then
  echo "creating $files files and a $big file in $src ..." >&2
  rm -rf "$src"; mkdir -p "$src/tree"
  python3 - "$src/tree" "$files" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(1)
per_dir = 1000
for i in range(n):
    d = os.path.join(root, f"d{i // per_dir:04d}", f"s{(i // 100) % 10}")
    if i % 100 == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"file-{i:06d}.dat"), "wb") as f:
        f.write(rnd.randbytes(rnd.choice((0, 100, 700, 2000, 4096, 9000))))
PY
  head -c "$big" /dev/urandom > "$src/$bigfile"
  touch "$src/.complete"
fi

# --- mounts -----------------------------------------------------------------------------------
work=$(mktemp -d /tmp/layerfs-fuse-bench.XXXXXX)
pids=()
mounts=()
# FUSE over io_uring on for this run, put back afterwards (lib/common.sh). loopback-devfuse measures
# the same daemon kept on /dev/fuse (--no-uring).
enable_fuse_uring
cleanup() {
  restore_fuse_uring
  for m in "${mounts[@]}"; do umount -l "$m" 2>/dev/null || true; done
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

wait_mounted() {
  for _ in $(seq 300); do grep -q " $1 " /proc/self/mountinfo && return 0; sleep 0.1; done
  echo "$1 did not mount" >&2; exit 1
}
start_loopback() { # name, options...
  local name=$1; shift
  mkdir -p "$work/$name"
  $loopback "$src" "$work/$name" -f --log-level warning "$@" 2>"$work/$name.log" &
  pids+=($!); mounts+=("$work/$name")
  wait_mounted "$work/$name"
  stat "$work/$name" >/dev/null
}
declare -A root
root[native]=$src
start_loopback loopback-pt;      root[loopback-pt]=$work/loopback-pt
start_loopback loopback-devfuse --no-uring; root[loopback-devfuse]=$work/loopback-devfuse
start_loopback loopback-nopt --no-passthrough; root[loopback-nopt]=$work/loopback-nopt
# The daemon's own read path: no passthrough and no page cache kept across opens, so warm reads are
# READ requests served from the source's page cache.
start_loopback loopback-daemon --no-passthrough --no-keep-cache; root[loopback-daemon]=$work/loopback-daemon
mkdir -p "$work/bindfs"; bindfs "$src" "$work/bindfs"; mounts+=("$work/bindfs"); wait_mounted "$work/bindfs"; root[bindfs]=$work/bindfs
# Read-only overlay (two lower directories, no upper): what the kernel's own stacking costs.
mkdir -p "$work/overlayfs" "$work/overlayfs-empty"
mount -t overlay overlay -o "lowerdir=$src:$work/overlayfs-empty" "$work/overlayfs"; mounts+=("$work/overlayfs"); root[overlayfs]=$work/overlayfs
targets=(native loopback-pt loopback-devfuse loopback-nopt loopback-daemon bindfs overlayfs)

# Read everything once, so that "cold" means cold in this machine's page cache for every target alike
# (a virtual disk may be cached by its host: the first reader would otherwise pay alone).
cat "$src/$bigfile" > /dev/null
find "$src/tree" -type f -print0 | xargs -0 -n 2000 cat > /dev/null

drop="sync; echo 3 > /proc/sys/vm/drop_caches"
# Forget dentries and inodes only: the FUSE mounts must ask their daemon again, the disk blocks stay cached.
drop_meta="sync; echo 2 > /proc/sys/vm/drop_caches"
mean() { jq -r '.results[0].mean' "$1"; }
declare -A result

# --- walk and read-all --------------------------------------------------------------------------
for t in "${targets[@]}"; do
  dir=${root[$t]}/tree
  # loopback-daemon is there for the daemon's own read path (seq); its metadata path is loopback-nopt's.
  # overlayfs is a reference for reads only.
  if [ "$t" = loopback-daemon ] || [ "$t" = overlayfs ]; then
    for k in walk-cold walk-meta walk-warm read-cold read-warm; do result[$t,$k]=nan; done
    continue
  fi
  echo "== $t: walk / read-all" >&2
  walk="find $dir -printf '%p %s %m %U %G %T@\n' > /dev/null"
  hyperfine --style none --runs "$walk_runs" --prepare "$drop" --export-json "$work/j" "$walk" >/dev/null
  result[$t,walk-cold]=$(mean "$work/j")
  hyperfine --style none --runs "$walk_runs" --prepare "$drop_meta" --export-json "$work/j" "$walk" >/dev/null
  result[$t,walk-meta]=$(mean "$work/j")
  hyperfine --style none --warmup 1 --runs 3 --export-json "$work/j" "$walk" >/dev/null
  result[$t,walk-warm]=$(mean "$work/j")
  readall="find $dir -type f -print0 | xargs -0 -n 2000 cat > /dev/null"
  hyperfine --style none --runs 1 --prepare "$drop" --export-json "$work/j" "$readall" >/dev/null
  result[$t,read-cold]=$(mean "$work/j")
  hyperfine --style none --warmup 1 --runs 2 --export-json "$work/j" "$readall" >/dev/null
  result[$t,read-warm]=$(mean "$work/j")
done

# --- sequential and random reads of the big file ---------------------------------------------
bytes=$(stat -c %s "$src/$bigfile")
gibps() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.2f", b / s / 1073741824 }'; }
# dd's own timing ("... copied, 0.2134 s, ..."), finer than time(1).
dd_seconds() { dd if="$1" of=/dev/null bs=1M 2>&1 | sed -n 's/.* copied, \([0-9.e+-]*\) s,.*/\1/p'; }
for t in "${targets[@]}"; do
  f=${root[$t]}/$bigfile
  echo "== $t: sequential reads" >&2
  eval "$drop"
  result[$t,seq-cold]=$(gibps "$(dd_seconds "$f")")
  dd_seconds "$f" >/dev/null
  best=0
  for _ in 1 2 3; do
    g=$(gibps "$(dd_seconds "$f")"); best=$(awk -v a="$best" -v b="$g" 'BEGIN { print (b > a) ? b : a }')
  done
  result[$t,seq-warm]=$best
done

# Random reads in interleaved rounds (every target once per round): this VM's speed drifts by 20% over
# a minute, more than the 10% the target allows, so a ratio of two runs made a minute apart measures
# the drift. Each round's ratio compares runs seconds apart; the table gives medians over the rounds.
# Odd rounds run the targets in order, even rounds in reverse, so that no target always follows the
# same one (a run after bindfs's busy daemon is not a run after an idle second).
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A rand_runs
for t in "${targets[@]}"; do cat "${root[$t]}/$bigfile" > /dev/null; done
for round in $(seq "$rand_rounds"); do
  echo "== random reads, round $round of $rand_rounds" >&2
  order=("${targets[@]}")
  (( round % 2 == 0 )) && for (( i = ${#targets[@]} - 1, j = 0; i >= 0; i--, j++ )); do order[j]=${targets[i]}; done
  for t in "${order[@]}"; do
    fio --name=rand --filename="${root[$t]}/$bigfile" --rw=randread --bs=4k --ioengine=psync --numjobs=1 --runtime=2 \
        --time_based --invalidate=0 --output-format=json > "$work/fio.json" 2>/dev/null
    rand_runs[$t]+="$(jq -r '.jobs[0].read.iops | floor' "$work/fio.json") "
  done
done
for t in "${targets[@]}"; do result[$t,rand]=$(printf '%s\n' ${rand_runs[$t]} | median); done
rand_ratio() { # target: the median over the rounds of its IOPS over native's in the same round
  paste <(printf '%s\n' ${rand_runs[$1]}) <(printf '%s\n' ${rand_runs[native]}) | awk '{ printf "%.4f\n", $1 / $2 }' | median
}
rand_pt_ratio=$(rand_ratio loopback-pt)
rand_ovl_ratio=$(rand_ratio overlayfs)

# --- table ------------------------------------------------------------------------------------
{
  echo "FUSE loopback benchmark: $(uname -r), $(nproc) CPUs, $files files, $(numfmt --to=iec "$bytes") file, FUSE io_uring $FUSE_URING_STATE, $(date -u +%FT%TZ)"
  echo
  printf '| %-16s | %11s | %11s | %11s | %11s | %11s | %10s | %10s | %10s |\n' target "walk cold" "walk dcache" "walk warm" "read cold" "read warm" "seq cold" "seq warm" "rand 4k"
  printf '| %-16s | %11s | %11s | %11s | %11s | %11s | %10s | %10s | %10s |\n' "" s s s s s "GiB/s" "GiB/s" IOPS
  printf '|%s|\n' "------------------|-------------|-------------|-------------|-------------|-------------|------------|------------|------------"
  for t in "${targets[@]}"; do
    printf '| %-16s | %11.3f | %11.3f | %11.3f | %11.3f | %11.3f | %10s | %10s | %10s |\n' "$t" \
      "${result[$t,walk-cold]}" "${result[$t,walk-meta]}" "${result[$t,walk-warm]}" "${result[$t,read-cold]}" "${result[$t,read-warm]}" \
      "${result[$t,seq-cold]}" "${result[$t,seq-warm]}" "${result[$t,rand]}"
  done
  echo
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
  echo "walk cold: bindfs / loopback-pt = $(ratio "${result[bindfs,walk-cold]}" "${result[loopback-pt,walk-cold]}")x (target >= 2); loopback-pt / native = $(ratio "${result[loopback-pt,walk-cold]}" "${result[native,walk-cold]}")x"
  echo "walk dcache: bindfs / loopback-pt = $(ratio "${result[bindfs,walk-meta]}" "${result[loopback-pt,walk-meta]}")x; loopback-pt / native = $(ratio "${result[loopback-pt,walk-meta]}" "${result[native,walk-meta]}")x"
  echo "walk warm: bindfs / loopback-pt = $(ratio "${result[bindfs,walk-warm]}" "${result[loopback-pt,walk-warm]}")x"
  echo "io_uring ($FUSE_URING_STATE) against /dev/fuse: walk dcache $(ratio "${result[loopback-devfuse,walk-meta]}" "${result[loopback-pt,walk-meta]}")x, read-all warm $(ratio "${result[loopback-devfuse,read-warm]}" "${result[loopback-pt,read-warm]}")x faster"
  echo "seq warm: loopback-pt / native = $(ratio "${result[loopback-pt,seq-warm]}" "${result[native,seq-warm]}") (target >= 0.9); loopback-nopt = ${result[loopback-nopt,seq-warm]} GiB/s, daemon path = ${result[loopback-daemon,seq-warm]} GiB/s (target >= 1)"
  echo "rand 4k: loopback-pt / native = $(printf '%.2f' "$rand_pt_ratio") (median of $rand_rounds interleaved rounds' ratios; target >= 0.9)"
  echo "  IOPS per round: native ${rand_runs[native]}; loopback-pt ${rand_runs[loopback-pt]}"
  echo "  kernel overlayfs over the same directory, same rounds: overlayfs / native = $(printf '%.2f' "$rand_ovl_ratio") (IOPS per round: ${rand_runs[overlayfs]})"
  echo "seq warm, kernel overlayfs / native = $(ratio "${result[overlayfs,seq-warm]}" "${result[native,seq-warm]}")"
  echo
  echo "walk cold: after echo 3 > drop_caches (disk cold); walk dcache: after echo 2 (dentries and inodes"
  echo "forgotten, disk blocks cached: FUSE mounts answer everything from their daemon); warm: caches full."
  echo "loopback-pt: passthrough (requests over io_uring queues when on); loopback-devfuse: the same over /dev/fuse;"
  echo "loopback-nopt: no passthrough, page cache kept across opens;"
  echo "loopback-daemon: no passthrough, page cache dropped at each open (warm reads are READ requests to the daemon);"
  echo "measured for seq and rand only (nan): its metadata path is loopback-nopt's."
  echo "overlayfs: kernel overlayfs, read-only over the same directory; a reference for seq and rand (the kernel's"
  echo "own stacking reads lower files through the same backing-file path as FUSE passthrough)."
} | tee ${out:+"$out"}
