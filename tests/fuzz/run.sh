#!/usr/bin/env bash
# make fuzz: AFL++ over SharpFuzz-instrumented LayerFs assemblies, bounded in time.
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
# Crashes and hangs are copied to tests/fuzz/crashes/TARGET/, where the test suite replays them for
# good; the executions and findings per target are summed up in $FUZZ_WORK/summary.txt.
# Replay one with the uninstrumented build (the instrumented one needs afl-fuzz's shared memory):
#   dotnet tests/LayerFs.Fuzz/bin/Release/net10.0/LayerFs.Fuzz.dll TARGET --replay FILE
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(tar manifest index config)
work=${FUZZ_WORK:-/var/tmp/layerfs-fuzz}
mkdir -p "$work"

command -v afl-fuzz >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null; }
tools="$work/tools"
[ -x "$tools/sharpfuzz" ] || dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine >/dev/null

out="$work/build"
rm -rf "$out"   # sharpfuzz refuses an assembly it has already instrumented
dotnet publish tests/LayerFs.Fuzz/LayerFs.Fuzz.csproj -c Release -nologo -v q -o "$out"
for dll in LayerFs.Tar.dll LayerFs.Store.dll; do "$tools/sharpfuzz" "$out/$dll" >/dev/null; done

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1
total_execs=0
: > "$work/summary.txt"
for t in "${targets[@]}"; do
  seeds="$work/seeds-$t"; findings="$work/findings-$t"
  rm -rf "$seeds" "$findings"; mkdir -p "$seeds"
  bash tests/fuzz/seeds.sh "$t" "$seeds"
  echo "fuzzing $t for ${seconds}s"
  timeout $((seconds + 60)) afl-fuzz -V "$seconds" -t 5000 -m none -i "$seeds" -o "$findings" -- dotnet "$out/LayerFs.Fuzz.dll" "$t" >"$work/afl-$t.log" 2>&1 || true
  stats="$findings/default/fuzzer_stats"
  execs=$(awk -F: '/^execs_done/ {gsub(/ /,"",$2); print $2}' "$stats" 2>/dev/null || echo 0)
  crashes=$(find "$findings/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
  hangs=$(find "$findings/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
  paths=$(awk -F: '/^corpus_count/ {gsub(/ /,"",$2); print $2}' "$stats" 2>/dev/null || echo 0)
  total_execs=$((total_execs + ${execs:-0}))
  echo "$t: ${execs:-0} executions in ${seconds}s, ${paths:-0} inputs in the corpus, $crashes crashes, $hangs hangs" | tee -a "$work/summary.txt"
  # A hang (over afl-fuzz's 5 s limit) is a bug too: a parser must give up on input that never ends.
  for c in "$findings"/default/crashes/id:* "$findings"/default/hangs/id:*; do
    [ -f "$c" ] || continue
    mkdir -p "tests/fuzz/crashes/$t"
    cp "$c" "tests/fuzz/crashes/$t/$(sha256sum "$c" | cut -c1-16)"
  done
done
echo "fuzz: $total_execs executions in all" | tee -a "$work/summary.txt"
