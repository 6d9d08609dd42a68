#!/bin/sh
# The weekly report on the 2,000-account demo data set (issue: weekly
# report, speed): rendering every chart of one report (7 charts, SVG and
# PNG, by gnuplot children) must take under 2 s; also shown: the whole
# report job (metrics run, charts, HTML, CSV) and the same charts in two
# languages; the baseline draws the same charts one gnuplot at a time
# ([reportd] gnuplot_jobs = 1).  Times are reportd's own measurements,
# best of 3.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/common.sh"	# row
O=${O:-build/default}
conf=${CRMX_BENCH_SMALL_CONF:?run through tests/bench/run}
dir=${CRMX_BENCH_DIR:?}/report
reportd=$top/$O/reportd/crmx-reportd
mkdir -p "$dir"

verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v < t) ? "ok" : "MISSED" }'; }

# best LANGS [--set ...]: the best of 3 (chart seconds, job seconds) as "c j".
best() {
	langs=$1; shift
	b_c=999 b_j=999
	for i in 1 2 3; do
		t0=$(date +%s.%N)
		"$reportd" --config "$conf" --set reportd.report_dir="$dir/out" --set reportd.language="$langs" \
			"$@" --run-once --report --as-of 2026-06-30 >/dev/null 2>"$dir/run.log" ||
			{ cat "$dir/run.log" >&2; exit 1; }
		t1=$(date +%s.%N)
		c=$(sed -n 's/.*chart(s) missing, charts \([0-9.]*\) s).*/\1/p' "$dir/run.log")
		m=$(sed -n 's/.*run [0-9]*, \([0-9]*\) chart(s) missing.*/\1/p' "$dir/run.log")
		[ "$m" = 0 ] || { echo "report bench: $m chart(s) missing" >&2; exit 1; }
		j=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
		b_c=$(awk -v a="$b_c" -v b="$c" 'BEGIN { print (b < a) ? b : a }')
		b_j=$(awk -v a="$b_j" -v b="$j" 'BEGIN { print (b < a) ? b : a }')
	done
	echo "$b_c $b_j"
}

set -- $(best en)
charts=$1 job=$2
set -- $(best en --set reportd.gnuplot_jobs=1)
row "all 7 charts of one report, SVG + PNG, vs one gnuplot at a time (s)" "$charts" "$1" \
    "$(awk -v a="$1" -v b="$charts" 'BEGIN { printf "%.2fx faster", a / b }')" "< 2 s" "$(verdict "$charts" 2)"
row "whole report job: metrics run + charts + HTML + CSV (s)" "$job" "" "" "" ""
set -- $(best en,zh-CN)
row "charts of the report in English and Chinese (s)" "$1" "" "" "" ""
