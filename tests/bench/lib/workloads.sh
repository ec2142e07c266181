# The workloads W1-W10 and how each is timed (sourced by run.sh).
#
# Every row is measured as native, contender, native, contender, ..., native
# (BRACKET=each) or native, every contender, native (BRACKET=ends, quick mode):
# a contender's ratio is taken against the native runs on either side of it, and
# the spread between those native runs is the noise.  Measurements are appended
# to $RAW/records.jsonl, one JSON object each:
#   {row, contender, slot, status: ok|failed|missing|skipped, note, unit, samples: [...]}
# where slot n is the nth native run, or for a contender the native run before it.

CTL="bash $BENCH_HOME/ctl.sh"

# A contender slower than SLOW_CAP times native is cut off: its first run is a
# probe, allowed SLOW_CAP x native's median plus PREPARE_ALLOWANCE seconds (for
# remounting) but at least MIN_RUN_LIMIT; if it does not finish, the row
# records "timeout" and moves on.  One pathological contender (archivemount
# re-reads its archive) must not eat the time budget.
bench_params() {
  if [ "$QUICK" = 1 ]; then
    RUNS_COLD=1 RUNS_COLD_HEAVY=1 RUNS_WARM=2 WARMUP=1 RUNS_CHROOT=5 RUNS_IMPORT=1
    FIO_RUNS=1 FIO_SECONDS=2 BRACKET=ends MEASURE_TIMEOUT=120
    # smoke-run sizes: W6 lists one ninth of the tree, W4 reads the first 256 MiB
    W6_SUBDIR=tree/d0-0/d1-0 W4_MIB=256
  else
    RUNS_COLD=5 RUNS_COLD_HEAVY=3 RUNS_WARM=10 WARMUP=1 RUNS_CHROOT=30 RUNS_IMPORT=3
    FIO_RUNS=3 FIO_SECONDS=5 BRACKET=each MEASURE_TIMEOUT=600
    W6_SUBDIR="" W4_MIB=""
  fi
  # the targets are at most 2x native: a contender past 5x is recorded as such, not timed further
  SLOW_CAP=5 MIN_RUN_LIMIT=10 PREPARE_ALLOWANCE=5
  if [ "$QUICK" = 1 ]; then MIN_RUN_LIMIT=4 PREPARE_ALLOWANCE=3; fi
}

# Seconds one run of a contender may take in a row, from native's last median there.
run_limit() {
  local row=$1
  jq -rs --arg row "$row" --argjson cap "$SLOW_CAP" --argjson min "$MIN_RUN_LIMIT" \
    --argjson max "$MEASURE_TIMEOUT" --argjson prep "$PREPARE_ALLOWANCE" '
    [.[] | select(.row == $row and .contender == "native" and .status == "ok") | .samples | sort | .[length / 2 | floor]]
    | last as $native
    | if $native == null then $max else [$native * $cap + $prep, $min] | max | ceil end' "$RAW/records.jsonl"
}

# row_define ID VARIANT DATASET UNIT BETTER TITLE (only for workloads asked for)
row_define() {
  wanted "$1" || return 0
  jq -nc --arg id "$1" --arg variant "$2" --arg dataset "$3" --arg unit "$4" --arg better "$5" --arg title "$6" \
    '{row: ($id + "/" + $variant), id: $id, variant: $variant, dataset: $dataset, unit: $unit, better: $better, title: $title}' \
    >> "$RAW/rows.jsonl"
}

# record ROW CONTENDER SLOT STATUS NOTE [SAMPLES_JSON]
record() {
  jq -nc --arg row "$1" --arg who "$2" --argjson slot "$3" --arg status "$4" --arg note "$5" \
    --argjson samples "${6:-[]}" \
    '{row: $row, contender: $who, slot: $slot, status: $status, note: $note, samples: $samples}' >> "$RAW/records.jsonl"
}

# hyperfine_json JSON_OUT LOG LIMIT RUNS WARMUP PREPARE CMD — one hyperfine call;
# status 124 when cut off after LIMIT seconds.
hyperfine_json() {
  local json=$1 log=$2 limit=$3 runs=$4 warmup=$5 prepare=$6 cmd=$7
  # --output=inherit: a failing command's own error line (tar's, fio's) lands in the log and the
  # report; every timed command sends its regular output to /dev/null or a pipe itself
  # HYPERFINE_SHELL=none for commands of a few milliseconds (W8): hyperfine then starts them
  # itself instead of subtracting a calibrated shell start-up, which swamps them
  local args=(--runs "$runs" --warmup "$warmup" --shell="${HYPERFINE_SHELL:-bash}" --style=none --output=inherit --export-json "$json")
  [ -n "$prepare" ] && args+=(--prepare "$prepare")
  # timeout (without --foreground) runs hyperfine in a process group of its own and, when the
  # limit passes, ends the whole group: the timed command's children too (an umoci left running
  # would still be writing while the next run's preparation clears its directory). Ctrl-C ends
  # the group through on_exit (run.sh).
  timeout -k 10 "$limit" hyperfine "${args[@]}" "$cmd" >> "$log" 2>&1 &
  MEASURING_PID=$!
  local rc=0
  wait "$MEASURING_PID" || rc=$?
  MEASURING_PID=""
  return "$rc"
}

# measure ROW WHO SLOT RUNS WARMUP PREPARE CMD — times CMD with hyperfine; PREPARE
# runs before every run and is not timed.  A contender's first run (or its
# warm-up) is a probe with a time limit (see bench_params).
measure() {
  local row=$1 who=$2 slot=$3 runs=$4 warmup=$5 prepare=$6 cmd=$7
  local base=$RAW/${row//\//-}.$who.$slot samples='[]' rc=0 limit note
  printf '%s\n' "prepare: $prepare" "command: $cmd" > "$base.cmd"
  : > "$base.log"
  bench_log "$row $who (slot $slot): $runs runs"
  if [ "$who" = native ]; then
    hyperfine_json "$base.json" "$base.log" "$MEASURE_TIMEOUT" "$runs" "$warmup" "$prepare" "$cmd" || rc=$?
  else
    limit=$(run_limit "$row")
    # the probe: the first timed run of a cold row, the warm-up of a warm one
    hyperfine_json "$base.probe.json" "$base.log" "$limit" 1 0 "$prepare" "$cmd" || rc=$?
    if [ "$rc" -eq 0 ]; then
      if [ "$warmup" -eq 0 ]; then
        samples=$(jq -c '.results[0].times' "$base.probe.json")
        runs=$((runs - 1)) warmup=0
      else
        warmup=$((warmup - 1))
      fi
      if [ "$runs" -gt 0 ]; then
        hyperfine_json "$base.json" "$base.log" $((limit * (runs + warmup))) "$runs" "$warmup" "$prepare" "$cmd" || rc=$?
      fi
    fi
  fi
  if [ "$rc" -eq 0 ]; then
    [ -f "$base.json" ] && samples=$(jq -c --argjson probe "$samples" '$probe + .results[0].times' "$base.json")
    record "$row" "$who" "$slot" ok "" "$samples"
  elif [ "$rc" -eq 124 ]; then
    note="cut off after ${limit:-$MEASURE_TIMEOUT} s per run"
    [ "$who" != native ] && note+=" (over ${SLOW_CAP}x native)"
    bench_log "$row $who: $note"
    record "$row" "$who" "$slot" timeout "$note"
  else
    note=$(grep -v -e '^\s*$' -e '^Error: Command terminated' -e 'Exiting with failure status' "$base.log" | tail -2 | tr '\n' ' ' | cut -c1-300)
    bench_log "$row $who failed: $note"
    record "$row" "$who" "$slot" failed "$note"
  fi
}

# The command a workload times, run in a dataset's merged tree ROOT.
workload_cmd() {
  local id=$1 root=$2
  case $id in
    W2) echo "find $(shell_quote "$root") -printf '%y %i %n %m %U %G %s %T@ %p\n' > /dev/null" ;;
    # GNU tar skips reading file data when it writes to /dev/null: count bytes through a pipe
    W3) echo "set -o pipefail; tar -C $(shell_quote "$root") -cf - . | wc -c > /dev/null" ;;
    W4) echo "dd if=$(shell_quote "$root/big.bin") of=/dev/null bs=1M ${W4_MIB:+count=$W4_MIB }status=none" ;;
    W6) echo "ls -lR $(shell_quote "$root${W6_SUBDIR:+/$W6_SUBDIR}") > /dev/null" ;;
    W8) echo "chroot $(shell_quote "$root") /bin/true" ;;
  esac
}

# Measures one contender (or native) in a row of a timed workload.
measure_one() {
  local id=$1 variant=$2 ds=$3 who=$4 slot=$5 row=$1/$2 root
  root=$(contender_root "$who" "$ds")
  case $row in
    W1/cold)
      local stat_cmd="stat $(shell_quote "$root/$(deep_file)") > /dev/null"
      if [ "$who" = native ]; then
        measure "$row" "$who" "$slot" "$RUNS_COLD" 0 "$CTL drop" "$stat_cmd"
      else
        measure "$row" "$who" "$slot" "$RUNS_COLD" 0 "$CTL unmount-drop $who $ds" \
          "$(contender_mount_cmd "$who" "$ds") && $stat_cmd"
      fi ;;
    */cold)
      local runs=$RUNS_COLD
      case $id in W4|W6) runs=$RUNS_COLD_HEAVY ;; esac     # seconds per run, not milliseconds
      measure "$row" "$who" "$slot" "$runs" 0 "$CTL cold $who $ds" "$(workload_cmd "$id" "$root")" ;;
    */warm)
      local runs=$RUNS_WARM warmup=$WARMUP err
      local HYPERFINE_SHELL=bash
      [ "$id" = W8 ] && runs=$RUNS_CHROOT warmup=3 HYPERFINE_SHELL=none
      if ! err=$(contender_mount "$who" "$ds" 2>&1); then
        record "$row" "$who" "$slot" failed "mount failed: $(tail -1 <<<"$err")"
        return
      fi
      measure "$row" "$who" "$slot" "$runs" "$warmup" "" "$(workload_cmd "$id" "$root")" ;;
    W7/import)
      local dest=$BENCH_CACHE/scratch/w7 image=$BENCH_CACHE/images/debian cmd blob
      case $who in
        native) cmd="mkdir -p $(shell_quote "$dest")"
                for blob in $(oci_layer_blobs "$image"); do cmd+=" && tar -xzf $(shell_quote "$blob") -C $(shell_quote "$dest")"; done ;;
        umoci)  cmd="umoci unpack --image $(shell_quote "$image:latest" "$dest") > /dev/null" ;;
        layerfs) cmd="$(shell_quote "$LAYERFS_CLI" --store "$dest" import "$image" --name bench-debian:latest) > /dev/null" ;;
      esac
      # sync is part of every import: LayerFs flushes what it wrote, the others would not
      measure "$row" "$who" "$slot" "$RUNS_IMPORT" 0 "$CTL reset-dir $dest" "$cmd && sync" ;;
  esac
}

# W5: 4 KiB random reads of big.bin with fio, caches cold before every run.
# Gives two rows from the same runs: IOPS and p99 completion latency.
measure_fio() {
  local who=$1 slot=$2 root r base iops='[]' p99='[]' note=""
  root=$(contender_root "$who" big)
  # fio splits --filename at ':' (several files); LayerFs paths hold name:tag
  local file=$root/big.bin
  file=${file//:/\\:}
  bench_log "W5 $who (slot $slot): $FIO_RUNS runs of ${FIO_SECONDS} s"
  for r in $(seq "$FIO_RUNS"); do
    base=$RAW/W5.$who.$slot.$r
    if ! $CTL cold "$who" big > "$base.log" 2>&1; then note="remount failed: $(tail -1 "$base.log")"; break; fi
    if ! timeout --foreground -k 10 $((FIO_SECONDS + 60)) fio --name=w5 --filename="$file" --readonly \
        --rw=randread --bs=4k --ioengine=psync --iodepth=1 --numjobs=1 --time_based --runtime="$FIO_SECONDS" \
        --output-format=json --output="$base.json" >> "$base.log" 2>&1; then
      note="fio failed: $(grep -v '^\s*$' "$base.log" | tail -1)"; break
    fi
    iops=$(jq -c --slurpfile f "$base.json" '. + [$f[0].jobs[0].read.iops]' <<<"$iops")
    p99=$(jq -c --slurpfile f "$base.json" '. + [$f[0].jobs[0].read.clat_ns.percentile["99.000000"] / 1000]' <<<"$p99")
  done
  if [ -n "$note" ]; then
    bench_log "W5 $who failed: $note"
    record W5/iops "$who" "$slot" failed "$note"
    record W5/p99 "$who" "$slot" failed "$note"
  else
    record W5/iops "$who" "$slot" ok "" "$iops"
    record W5/p99 "$who" "$slot" ok "" "$p99"
  fi
}

# Why a contender cannot take part in a row, or nothing.
not_ready() {
  local who=$1 row=$2
  if [ "$row" = W7/import ] && [ "$who" = layerfs ]; then
    echo "${LAYERFS_IMPORT_STATE:-}"     # importing needs the CLI, not the mount
  else
    echo "${CONTENDER_STATE[$who]:-}"
  fi
}

# run_row ID VARIANT DATASET CONTENDER... — the interleaved schedule of one row.
run_row() {
  local id=$1 variant=$2 ds=$3; shift 3
  local row=$id/$variant slot=0 who state
  local rows=("$row") r
  [ "$id" = W5 ] && rows=(W5/iops W5/p99)      # one fio run gives both
  if [ $((SECONDS - BENCH_T0)) -gt "$TIME_BUDGET" ]; then
    for who in native "$@"; do
      for r in "${rows[@]}"; do record "$r" "$who" 0 skipped "over the time budget of $TIME_BUDGET s"; done
    done
    bench_log "$row skipped: over the time budget"
    return
  fi
  run_slot "$id" "$variant" "$ds" native "$slot"
  for who in "$@"; do
    state=$(not_ready "$who" "$row")
    if [ -n "$state" ]; then
      for r in "${rows[@]}"; do record "$r" "$who" "$slot" "${state%%:*}" "${state#*: }"; done
      continue
    fi
    run_slot "$id" "$variant" "$ds" "$who" "$slot"
    if [ "$BRACKET" = each ]; then
      slot=$((slot + 1))
      run_slot "$id" "$variant" "$ds" native "$slot"
    fi
  done
  if [ "$BRACKET" = ends ] || [ "$slot" -eq 0 ]; then
    run_slot "$id" "$variant" "$ds" native $((slot + 1))
  fi
}

run_slot() {
  if [ "$1" = W5 ]; then measure_fio "$4" "$5"; else measure_one "$@"; fi
}

# Rows not measurable until LayerFs has writable views.
stub_row() {
  local row=$1 who
  for who in native "${MOUNTED_CONTENDERS[@]}"; do record "$row" "$who" 0 "not-yet" "needs writable views (layerfs view create)"; done
}

run_workloads() {
  local all=("${MOUNTED_CONTENDERS[@]}")
  row_define W1 cold debian s lower "mount to first stat of a deep file"
  row_define W2 cold debian s lower "find -printf of every entry's stat (Debian)"
  row_define W2 warm debian s lower "find -printf of every entry's stat (Debian)"
  row_define W3 cold debian s lower "read every file: tar -cf - . | wc -c (Debian)"
  row_define W3 warm debian s lower "read every file: tar -cf - . | wc -c (Debian)"
  local w6="ls -lR of 100k small files" w4="sequential read of a 2 GiB file"
  [ -n "$W6_SUBDIR" ] && w6="ls -lR of 12k small files (quick: one ninth of the tree)"
  [ -n "$W4_MIB" ] && w4="sequential read of a 2 GiB file (quick: first $W4_MIB MiB)"
  row_define W6 cold small s lower "$w6"
  row_define W6 warm small s lower "$w6"
  row_define W8 warm debian s lower "chroot ROOTFS /bin/true"
  row_define W4 cold big s lower "$w4"
  row_define W4 warm big s lower "$w4"
  row_define W5 iops big iops higher "4 KiB random reads (fio, cold): IOPS"
  row_define W5 p99 big us lower "4 KiB random reads (fio, cold): p99 latency"
  row_define W7 import debian s lower "import the Debian image (native: tar -xzf each layer)"
  row_define W9 view debian s lower "untar the Debian rootfs into a writable view"
  row_define W10 view debian s lower "create a writable view"

  wanted W1 && run_row W1 cold debian "${all[@]}"
  wanted W2 && { run_row W2 cold debian "${all[@]}"; run_row W2 warm debian "${all[@]}"; }
  wanted W3 && { run_row W3 cold debian "${all[@]}"; run_row W3 warm debian "${all[@]}"; }
  wanted W6 && { run_row W6 cold small "${all[@]}"; run_row W6 warm small "${all[@]}"; }
  wanted W8 && run_row W8 warm debian "${all[@]}"
  wanted W4 && { run_row W4 cold big "${all[@]}"; run_row W4 warm big "${all[@]}"; }
  wanted W5 && run_row W5 iops big "${all[@]}"
  if wanted W7; then
    mkdir -p "$BENCH_CACHE/scratch"
    run_row W7 import debian umoci layerfs
    rm -rf "$BENCH_CACHE/scratch"
  fi
  { wanted W9 || wanted W10; } && run_view_workloads
  return 0
}

# Whether a workload was asked for (--only).
wanted() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }
