# M1: the LayerFs daemon's memory after walking a million entries (issue 4: under 200 MB).
# Sourced by run.sh.
#
# The 100k-file image is tagged MEMORY_TAGS times: every images/<tag>/rootfs is a tree of nodes
# of its own (see NodeKey), so walking all of them makes the daemon hold a million distinct
# nodes at once, as a walk of a million-entry store would; the kernel keeps the dentries, so no
# FORGET frees anything during the walk. Measured on a mount of its own in the foreground, whose
# PID is therefore known: VmHWM (peak resident set) and VmRSS at the end of the walk. There is no
# native baseline: this row is an absolute, reported apart from the ratio table.

MEMORY_TAGS=10

run_memory_workload() {
  local state mp=$BENCH_MNT/layerfs-memory log=$RAW/M1.layerfs.log pid i entries=0 n
  local out=$RAW/memory.json
  state=$(not_ready layerfs M1)
  if [ -n "$state" ]; then
    jq -n --arg s "$state" '{row: "M1", status: ($s | split(":")[0]), note: $s}' > "$out"
    return
  fi
  [ "$QUICK" = 1 ] && MEMORY_TAGS=1
  bench_log "M1 layerfs: walking $MEMORY_TAGS tags of the 100k-file image on one mount"
  for i in $(seq "$MEMORY_TAGS"); do
    "$LAYERFS_CLI" --store "$LAYERFS_BENCH_STORE" tag bench-small:latest "bench-memory:$i" > /dev/null
  done
  layerfs_foreground_mount "$mp" "$log" warning
  pid=$LAYERFS_FOREGROUND_PID
  for i in $(seq 100); do is_mounted "$mp" && break; sleep 0.1; done
  if is_mounted "$mp"; then
    for i in $(seq "$MEMORY_TAGS"); do
      n=$(timeout -k 5 600 find "$mp/images/bench-memory:$i/rootfs" -printf '%i\n' | wc -l) || true
      entries=$((entries + n))
    done
    read -r hwm rss < <(awk '/^VmHWM:/ { h = $2 } /^VmRSS:/ { r = $2 } END { print h, r }' "/proc/$pid/status")
    jq -n --argjson entries "$entries" --argjson hwm "${hwm:-0}" --argjson rss "${rss:-0}" --argjson tags "$MEMORY_TAGS" \
      '{row: "M1", status: "ok", entries: $entries, tags: $tags, peak_mib: ($hwm / 1024 | floor), rss_mib: ($rss / 1024 | floor)}' > "$out"
  else
    jq -n --arg note "mount failed: $(tail -1 "$log")" '{row: "M1", status: "failed", note: $note}' > "$out"
  fi
  layerfs_foreground_unmount "$mp"
  for i in $(seq "$MEMORY_TAGS"); do
    "$LAYERFS_CLI" --store "$LAYERFS_BENCH_STORE" rmi "bench-memory:$i" > /dev/null 2>&1 || true
  done
  bench_log "M1 layerfs: $(jq -r 'if .status == "ok" then "\(.entries) entries, peak \(.peak_mib) MiB, \(.rss_mib) MiB at the end" else .note end' "$out")"
}

# The line the report prints for M1.
memory_summary() {
  local f=$RAW/memory.json
  [ -f "$f" ] || return 0
  jq -r 'if .status == "ok"
    then "M1 daemon memory after walking \(.entries) entries (\(.tags) tags of the 100k-file image, one mount): peak \(.peak_mib) MiB, \(.rss_mib) MiB at the end; target < 200 MB: \(if .peak_mib * 1048576 < 200000000 then "pass" else "MISS" end)"
    else "M1 daemon memory: \(.status): \(.note)" end' "$f"
}
