#!/usr/bin/env bash
# Runs every test project and ends with one line: "tests: N passed, N failed".
# Exits non-zero if any test failed or a test project could not run.
set -u
cd "$(dirname "$0")/.."
config=${1:-Release}
passed=0 failed=0 broken=0
results=$(mktemp -d)

# FUSE over io_uring is offered by the kernel only when the fuse module's enable_uring is Y. The
# binding and the mounted tree run once with it off (requests over /dev/fuse, a fresh machine's
# default) and once with it on (io_uring queues); the setting is put back as it was.
uring=/sys/module/fuse/parameters/enable_uring
uring_saved=
if [ -w "$uring" ]; then
  uring_saved=$(cat "$uring")
elif [ -e "$uring" ]; then
  echo "!! $uring is not writable (run as root): the io_uring pass cannot run"; broken=$((broken + 1))
else
  echo "== this kernel has no FUSE over io_uring (CONFIG_FUSE_IO_URING): one pass, over /dev/fuse"
fi
restore_uring() { if [ -n "$uring_saved" ]; then echo "$uring_saved" > "$uring"; fi; }
trap 'restore_uring; rm -rf "$results"' EXIT

run_project() { # project, label, enable_uring value or "" to leave it
  local proj=$1 name label=$2 mode=$3
  name=$(basename "$proj" .csproj)${label:+-$label}
  if [ -n "$mode" ]; then echo "$mode" > "$uring"; fi
  echo "== $name"
  dotnet test "$proj" -c "$config" --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --blame-crash --blame-hang-timeout 5m 2>&1 | tee "$results/$name.log" \
    | grep -E -A1 '^\s*(Failed|Passed!|Failed!|Skipped) |error|Error Message|Test Run Aborted|crash|was running' | head -200
  trx="$results/$name.trx"
  # A test host that died takes its remaining tests with it: the run counts as failed.
  if grep -q "Test Run Aborted" "$results/$name.log"; then
    echo "!! $name: the test host crashed"; grep -E "crash|was running|Exception" "$results/$name.log" | head -20
    broken=$((broken + 1))
  fi
  if [ -f "$trx" ]; then
    p=$(grep -o 'passed="[0-9]*"' "$trx" | head -1 | tr -dc 0-9)
    f=$(grep -o 'failed="[0-9]*"' "$trx" | head -1 | tr -dc 0-9)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  else
    echo "!! $name produced no results"; broken=$((broken + 1))
  fi
}

for proj in tests/*.Tests/*.csproj; do
  case "$(basename "$proj" .csproj)" in
    LayerFs.Fuse.Tests|LayerFs.Mount.Tests)
      if [ -n "$uring_saved" ]; then
        run_project "$proj" dev-fuse N
        run_project "$proj" io-uring Y
        restore_uring
      else
        run_project "$proj" "" ""
      fi ;;
    *) run_project "$proj" "" "" ;;
  esac
done
failed=$((failed + broken))
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
