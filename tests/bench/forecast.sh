#!/bin/sh
# The learned forecast's cost (issue 20): in a whole `crmx-reportd
# --run-once` on the bench set, the time of the close-probability model
# (its training rows, the backtest's fit and the final fit, the
# predictions; reportd logs it as "learned forecast N s") as a share of
# the run (target: under 20%), and its backtest against the stage weights
# there (Brier score; reported, no target: the bench data's outcomes come
# from the demo generator as `make run`'s do).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/common.sh"
. "$top/tests/lib/runlog.sh"
bench_setup forecast
reportd=$top/$O/reportd/crmx-reportd
as_of=${BENCH_AS_OF:-2026-06-30}

t0=$(date +%s.%N)
"$reportd" --config "$conf" --run-once --as-of "$as_of" --format json \
	>"$dir/summary.json" 2>"$dir/run.log" || { cat "$dir/run.log" >&2; exit 1; }
t1=$(date +%s.%N)
run_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
fc_s=$(runlog_forecast_s "$dir/run.log")
[ -n "$fc_s" ] || { echo "forecast bench: no learned forecast time in the log" >&2; cat "$dir/run.log" >&2; exit 1; }
share=$(awk -v f="$fc_s" -v r="$run_s" 'BEGIN { printf "%.1f", 100 * f / r }')
verdict=$(awk -v s="$share" 'BEGIN { print s < 20 ? "ok" : "MISSED" }')
bt=$(/usr/bin/python3 - "$dir/summary.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))["learned_forecast"]
b = f["backtest"] or {}
fmt = lambda v: "-" if v is None else "%.4f" % v
print(fmt((b.get("brier") or {}).get("model")), fmt((b.get("brier") or {}).get("stage_weights")),
      f["training_rows"], f["forecast_uses"])
PY
)
set -- $bt
row "learned forecast's share of a run ($fc_s s of $run_s s, $3 training rows)" "$share%" "" "" "< 20%" "$verdict"
row "backtest Brier score, learned vs stage weights (uses: $4)" "$1" "$2" "" "" ""
