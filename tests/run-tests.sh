#!/usr/bin/env bash
# Runs every test project and ends with one line: "tests: N passed, N failed".
# Exits non-zero if any test failed or a test project could not run.
set -u
cd "$(dirname "$0")/.."
config=${1:-Release}
passed=0 failed=0 broken=0
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
for proj in tests/*.Tests/*.csproj; do
  name=$(basename "$proj" .csproj)
  echo "== $name"
  dotnet test "$proj" -c "$config" --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --blame-hang-timeout 5m 2>&1 | tee "$results/$name.log" | grep -E -A1 '^\s*(Failed|Passed!|Failed!|Skipped) |error|Error Message' | head -200
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    p=$(grep -o 'passed="[0-9]*"' "$trx" | head -1 | tr -dc 0-9)
    f=$(grep -o 'failed="[0-9]*"' "$trx" | head -1 | tr -dc 0-9)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  else
    echo "!! $name produced no results"; broken=$((broken + 1))
  fi
done
failed=$((failed + broken))
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
