#!/bin/bash
# `make test-dm`: the devicemapper snapshotter's tests, in a qemu guest with device-mapper
# (../shared/vm/run-in-vm; this machine's kernel has none). Two boots share one store disk, so the
# second sees what a reboot leaves. Uses the built CLI (make build) and the example image
# (make example). Ends with "tests: N passed, N failed"; non-zero exit on failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
VM=${RUN_IN_VM:-$REPO/../shared/vm/run-in-vm}
[ -x out/layerfs/layerfs ] || { echo "tests/dm: build first (make build)"; exit 2; }
[ -d examples/busybox/out ] || { echo "tests/dm: make the example image first (make example)"; exit 2; }
[ -x "$VM" ] || { echo "tests/dm: $VM not found"; exit 2; }

work=$(mktemp -d /tmp/layerfs-dm.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The store's disk: it outlives the first boot (the guest's own /scratch does not).
truncate -s 4G "$work/store.img"
mkfs.ext4 -q -F "$work/store.img"

# POSIX_OPS (another posix_ops.py) and POSIX_OPS_COUNT pass through to the guest when set.
pass_env=()
for var in POSIX_OPS POSIX_OPS_COUNT; do [ -n "${!var:-}" ] && pass_env+=(-e "$var"); done

passed=0 failed=0
for phase in boot1 boot2; do
    echo "== $phase"
    start=$(date +%s)
    "$VM" --time --scratch 0 --timeout 3000 --disk "$work/store.img" "${pass_env[@]}" -- \
        "$REPO/tests/dm/in-guest.sh" "$phase" "$REPO" 2>&1 | tee "$work/$phase.log"
    rc=${PIPESTATUS[0]}
    echo "== $phase: exit $rc after $(( $(date +%s) - start )) s"
    summary=$(grep -E '^guest tests: [0-9]+ passed, [0-9]+ failed' "$work/$phase.log" | tail -1)
    if [ -z "$summary" ]; then
        echo "FAIL $phase did not finish (exit $rc)"
        failed=$((failed + 1))
        continue
    fi
    passed=$((passed + $(awk '{print $3}' <<<"$summary")))
    failed=$((failed + $(awk '{print $5}' <<<"$summary")))
done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
