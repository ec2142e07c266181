#!/usr/bin/env bash
# Benchmarks the LayerFs.Fuse binding through the Loopback example against native access and
# bindfs, all in one run over the same data:
#   walk      find -printf with an lstat of every entry, over --files files (default 100 000)
#   read-all  cat of every one of those files
#   seq       one --big file (default 2 GiB) read sequentially with dd, page cache warm and cold
#   rand      fio 4 KiB random reads (psync, 1 job) of that file, warm
# Targets (issue 3): walk >= 2x faster than bindfs; passthrough seq/rand within 10% of native;
# without passthrough >= 1 GiB/s sequential warm.
# Needs root (drop_caches, mount), hyperfine, fio, bindfs, jq. Not run by the test suite.
#
# usage: tests/bench/fuse-loopback.sh [--files N] [--big SIZE] [--data DIR] [--quick] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/../.."

files=100000
big=2G
data=/var/tmp/layerfs-fuse-bench
out=
walk_runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --files) files=$2; shift 2 ;;
    --big) big=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --quick) files=20000; big=512M; walk_runs=2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "run as root (drop_caches, mounts)" >&2; exit 1; }
for tool in hyperfine fio bindfs jq dotnet; do command -v $tool >/dev/null || { echo "missing $tool" >&2; exit 1; }; done

loopback=examples/Loopback/bin/Release/net10.0/Loopback
dotnet build examples/Loopback -c Release -nologo -v q >/dev/null
src=$data/src
bigfile=big.bin

# --- data, made once and reused -------------------------------------------------------------
if [ ! -f "$src/.complete-$files-$big" ]; then
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
  touch "$src/.complete-$files-$big"
fi

# --- mounts -----------------------------------------------------------------------------------
work=$(mktemp -d /tmp/layerfs-fuse-bench.XXXXXX)
pids=()
mounts=()
cleanup() {
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
start_loopback loopback-nopt --no-passthrough; root[loopback-nopt]=$work/loopback-nopt
# The daemon's own read path: no passthrough and no kept page cache, so every read is a READ request.
start_loopback loopback-daemon --no-passthrough --timeout 0; root[loopback-daemon]=$work/loopback-daemon
mkdir -p "$work/bindfs"; bindfs "$src" "$work/bindfs"; mounts+=("$work/bindfs"); wait_mounted "$work/bindfs"; root[bindfs]=$work/bindfs
targets=(native loopback-pt loopback-nopt loopback-daemon bindfs)

drop="sync; echo 3 > /proc/sys/vm/drop_caches"
mean() { jq -r '.results[0].mean' "$1"; }
declare -A result

# --- walk and read-all --------------------------------------------------------------------------
for t in "${targets[@]}"; do
  dir=${root[$t]}/tree
  echo "== $t: walk / read-all" >&2
  walk="find $dir -printf '%p %s %m %U %G %T@\n' > /dev/null"
  hyperfine -N --style none --runs "$walk_runs" --prepare "$drop" --export-json "$work/j" "bash -c \"$walk\"" >/dev/null 2>&1 \
    || hyperfine --style none --runs "$walk_runs" --prepare "$drop" --export-json "$work/j" "$walk" >/dev/null
  result[$t,walk-cold]=$(mean "$work/j")
  hyperfine --style none --warmup 1 --runs 5 --export-json "$work/j" "$walk" >/dev/null
  result[$t,walk-warm]=$(mean "$work/j")
  readall="find $dir -type f -print0 | xargs -0 -n 2000 cat > /dev/null"
  hyperfine --style none --runs 2 --prepare "$drop" --export-json "$work/j" "$readall" >/dev/null
  result[$t,read-cold]=$(mean "$work/j")
  hyperfine --style none --warmup 1 --runs 3 --export-json "$work/j" "$readall" >/dev/null
  result[$t,read-warm]=$(mean "$work/j")
done

# --- sequential and random reads of the big file ---------------------------------------------
bytes=$(stat -c %s "$src/$bigfile")
gibps() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.2f", b / s / 1073741824 }'; }
for t in "${targets[@]}"; do
  f=${root[$t]}/$bigfile
  echo "== $t: sequential / random" >&2
  eval "$drop"
  s=$( { /usr/bin/time -f %e dd if="$f" of=/dev/null bs=1M status=none; } 2>&1 )
  result[$t,seq-cold]=$(gibps "$s")
  dd if="$f" of=/dev/null bs=1M status=none
  best=0
  for _ in 1 2 3; do
    s=$( { /usr/bin/time -f %e dd if="$f" of=/dev/null bs=1M status=none; } 2>&1 )
    g=$(gibps "$s"); best=$(awk -v a="$best" -v b="$g" 'BEGIN { print (b > a) ? b : a }')
  done
  result[$t,seq-warm]=$best
  fio --name=rand --filename="$f" --rw=randread --bs=4k --ioengine=psync --numjobs=1 --runtime=8 --time_based \
      --invalidate=0 --output-format=json > "$work/fio.json" 2>/dev/null
  result[$t,rand]=$(jq -r '.jobs[0].read.iops | floor' "$work/fio.json")
done

# --- table ------------------------------------------------------------------------------------
{
  echo "FUSE loopback benchmark: $(uname -r), $(nproc) CPUs, $files files, $(numfmt --to=iec "$bytes") file, $(date -u +%FT%TZ)"
  echo
  printf '| %-16s | %12s | %12s | %12s | %12s | %10s | %10s | %12s |\n' target "walk cold s" "walk warm s" "read-all cold s" "read-all warm s" "seq cold GiB/s" "seq warm GiB/s" "rand 4k IOPS"
  printf '|%s|\n' "------------------|--------------|--------------|--------------|--------------|------------|------------|--------------"
  for t in "${targets[@]}"; do
    printf '| %-16s | %12.3f | %12.3f | %12.3f | %12.3f | %10s | %10s | %12s |\n' "$t" \
      "${result[$t,walk-cold]}" "${result[$t,walk-warm]}" "${result[$t,read-cold]}" "${result[$t,read-warm]}" \
      "${result[$t,seq-cold]}" "${result[$t,seq-warm]}" "${result[$t,rand]}"
  done
  echo
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
  echo "walk cold: bindfs / loopback-pt = $(ratio "${result[bindfs,walk-cold]}" "${result[loopback-pt,walk-cold]}")x (target >= 2); loopback-pt / native = $(ratio "${result[loopback-pt,walk-cold]}" "${result[native,walk-cold]}")x"
  echo "walk warm: bindfs / loopback-pt = $(ratio "${result[bindfs,walk-warm]}" "${result[loopback-pt,walk-warm]}")x"
  echo "seq warm: loopback-pt / native = $(ratio "${result[loopback-pt,seq-warm]}" "${result[native,seq-warm]}") (target >= 0.9); loopback-nopt = ${result[loopback-nopt,seq-warm]} GiB/s, daemon path = ${result[loopback-daemon,seq-warm]} GiB/s (target >= 1)"
  echo "rand 4k: loopback-pt / native = $(ratio "${result[loopback-pt,rand]}" "${result[native,rand]}") (target >= 0.9)"
  echo
  echo "loopback-pt: passthrough; loopback-nopt: no passthrough, page cache kept across opens;"
  echo "loopback-daemon: no passthrough, timeout 0, no kept cache (every read is a READ request to the daemon)."
} | tee ${out:+"$out"}
