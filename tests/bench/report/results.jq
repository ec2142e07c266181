# Turns the raw measurements into results.json.
# jq -n --slurpfile rows rows.jsonl --slurpfile records records.jsonl --slurpfile checks checks.jsonl
#       --slurpfile contenders contenders.json --slurpfile run run.json -f results.jq
#
# Per row: native's min/median/max over all its runs; per contender its
# min/median/max, its ratio to the native runs on either side of it (the
# median of the contender over the median of those native runs; for "higher is
# better" rows the same quotient, so a ratio below 1 is worse there), and the
# noise: how far apart those two native medians are, relative to the smaller.

def median: sort | if length == 0 then null
  elif length % 2 == 1 then .[length / 2 | floor]
  else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def stats: {min: min, median: median, max: max, n: length};
def spread: if length < 2 or min <= 0 then null else (max - min) / min end;

# The targets LayerFs is held to (issue 7).
#   ratio: its ratio to native;  abs: its median;  vs: its median over another contender's
def targets: {
  "W1/cold":   {kind: "abs", op: "<", value: 0.050, text: "< 50 ms"},
  "W2/cold":   {kind: "ratio", op: "<=", value: 2.0, text: "≤ 2.0×"},
  "W2/warm":   {kind: "ratio", op: "<=", value: 1.3, text: "≤ 1.3×"},
  "W3/cold":   {kind: "ratio", op: "<=", value: 1.5, text: "≤ 1.5×"},
  "W3/warm":   {kind: "ratio", op: "<=", value: 1.3, text: "≤ 1.3×"},
  "W4/cold":   {kind: "ratio", op: "<=", value: 1.1, text: "≤ 1.1× (passthrough)"},
  "W4/warm":   {kind: "ratio", op: "<=", value: 1.1, text: "≤ 1.1× (passthrough)"},
  "W5/iops":   {kind: "ratio", op: ">=", value: 0.9, text: "≥ 0.9×"},
  "W6/cold":   {kind: "ratio", op: "<=", value: 2.0, text: "≤ 2.0×"},
  "W6/warm":   {kind: "ratio", op: "<=", value: 1.3, text: "≤ 1.3×"},
  "W7/import": {kind: "vs", of: "umoci", op: "<=", value: 1.0, text: "≤ umoci"},
  "W8/warm":   {kind: "ratio", op: "<=", value: 1.5, text: "≤ 1.5×"},
  "W9/view":   {kind: "vs", of: "overlayfs", op: "<=", value: 1.0, text: "≤ overlayfs"},
  "W10/view":  {kind: "abs", op: "<", value: 0.100, text: "< 100 ms"}
};

def holds($op; $v): if $op == "<" then . < $v elif $op == "<=" then . <= $v else . >= $v end;

def evaluate($target; $results):
  ($results.layerfs // {}) as $mine
  | if $target == null then null
    elif ($mine.status // "") != "ok" then {text: $target.text, pass: null}
    elif $target.kind == "abs" then {text: $target.text, value: $mine.median, pass: ($mine.median | holds($target.op; $target.value))}
    elif $target.kind == "ratio" then {text: $target.text, value: $mine.ratio,
                                       pass: (if $mine.ratio == null then null else $mine.ratio | holds($target.op; $target.value) end)}
    else ($results[$target.of] // {}) as $other
      | if ($other.status // "") != "ok" then {text: $target.text, pass: null}
        else ($mine.median / $other.median) as $q | {text: $target.text, value: $q, pass: ($q | holds($target.op; $target.value))} end
    end;

def row_result($row; $records):
  ($records | map(select(.row == $row.row))) as $mine
  | ($mine | map(select(.contender == "native" and .status == "ok"))) as $natives
  | ($natives | map({key: (.slot | tostring), value: .samples}) | from_entries) as $by_slot
  | ($natives | map(.samples | median)) as $slot_medians
  | ([$natives[].samples[]]) as $native_all
  | ($mine | map(select(.contender != "native")) | map(
      . as $r
      | if $r.status != "ok" then {key: $r.contender, value: {status: $r.status, note: $r.note}}
        else ($by_slot[$r.slot | tostring] // []) as $before
          | ($by_slot[$r.slot + 1 | tostring] // []) as $after
          | (($before + $after) | median) as $base
          | {key: $r.contender, value: ({status: "ok"} + ($r.samples | stats) + {
              samples: $r.samples,
              ratio: (if $row.id == "W1" or $base == null or $base == 0 then null
                      else ($r.samples | median) / $base end),
              noise: ([($before | median), ($after | median)] | map(select(. != null)) | spread)})}
        end) | from_entries) as $results
  | ($mine | map(select(.contender == "native" and .status != "ok")) | first) as $native_problem
  | $row + {
      native: (if ($native_all | length) > 0 then ({status: "ok"} + ($native_all | stats) + {slot_medians: $slot_medians})
               elif $native_problem then {status: $native_problem.status, note: $native_problem.note}
               else null end),
      noise: ($slot_medians | spread),
      results: $results,
      target: evaluate(targets[$row.row]; $results)
    };

$run[0] + {
  contenders: $contenders[0],
  checks: $checks,
  rows: [$rows[] as $row | row_result($row; $records)]
}
