# Renders results.json: jq -r --arg format markdown|tsv|notes -f render.jq results.json
# (tsv is the table for the terminal, aligned with column(1); notes what goes under it).  One row per workload, the
# median of each contender with its ratio to native, LayerFs's target with
# pass/MISS, and the noise (spread of the native runs).

def columns: ["native", "layerfs", "overlayfs", "fuse-overlayfs", "squashfuse_ll", "archivemount", "umoci"];

def sig3: if . >= 100 then (. | round | tostring)
  elif . >= 10 then ((. * 10 | round) / 10 | tostring)
  else ((. * 100 | round) / 100 | tostring) end;

def quantity($unit):
  if . == null then "?"
  elif $unit == "s" then
    (if . < 0.001 then (. * 1e6 | sig3) + " µs" elif . < 1 then (. * 1000 | sig3) + " ms" else (sig3) + " s" end)
  elif $unit == "us" then (if . >= 1000 then (. / 1000 | sig3) + " ms" else (sig3) + " µs" end)
  elif $unit == "iops" then (if . >= 1000 then (. / 1000 | sig3) + "k" else sig3 end)
  else sig3 end;

def ratio_text: if . == null then "" else " (" + ((. * 100 | round) / 100 | tostring) + "×)" end;
def percent: if . == null then "" else ((. * 1000 | round) / 10 | tostring) + "%" end;

def cell($row; $who):
  (if $who == "native" then $row.native else $row.results[$who] end) as $r
  | if $r == null then "–"
    elif $r.status == "ok" then ($r.median | quantity($row.unit)) + ($r.ratio | ratio_text)
    elif $r.status == "not-yet" then "not yet"
    else $r.status end;

def target_cell($row):
  if $row.target == null then ""
  else $row.target.text + (if $row.target.pass == true then ": pass" elif $row.target.pass == false then ": MISS" else "" end) end;

def table_rows:
  .rows[] as $row
  | [$row.id + " " + $row.variant, $row.title, $row.dataset]
    + [columns[] as $c | cell($row; $c)]
    + [target_cell($row), ($row.noise | percent)];

def header: ["workload", "what", "data"] + columns + ["layerfs target", "noise"];

def machine_line:
  .machine | "\(.cores) cores, \(.memory_gib) GiB, Linux \(.kernel), \(.cpu); cache on \(.cache_fs); "
    + "FUSE passthrough: kernel \(.fuse_passthrough_kernel), layerfs \(.layerfs_passthrough); "
    + "FUSE io_uring: \(.fuse_io_uring // "off")";

def notes:
  ([.contenders[] | select(.status != "ok") | "- \(.name): \(.status): \(.detail)"]
   + [.checks[] | select(.entries != .native_entries)
      | "- \(.contender) shows \(.entries) entries in \(.dataset), native \(.native_entries): its results there compare different trees"]
   + [.rows[] as $row | $row.results | to_entries[] | select(.value.status == "failed")
      | "- \($row.row) \(.key): \(.value.note)"]
   + [.rows[] as $row | $row.results | to_entries[] | select(.value.status == "timeout")
      | "- \($row.row) \(.key): \(.value.note)"]);

if $format == "markdown" then
  "# LayerFs benchmark \(.started) (\(if .quick then "quick" else "full" end) run, \(.duration_s) s)",
  "",
  "Commit \(.commit). " + machine_line + ".",
  "Medians; in parentheses the ratio to native measured in the same row (for IOPS, above 1 is better).",
  "Noise: spread of the native medians measured between the contenders.",
  "",
  (header | "| " + join(" | ") + " |"),
  (header | map("---") | "|" + join("|") + "|"),
  (table_rows | "| " + join(" | ") + " |"),
  "",
  (notes | if length > 0 then "Notes:\n" + join("\n") else empty end)
elif $format == "tsv" then
  (header | @tsv),
  (table_rows | @tsv)
else
  machine_line,
  (notes | if length > 0 then join("\n") else empty end)
end
