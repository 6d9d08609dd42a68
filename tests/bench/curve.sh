#!/bin/sh
# The cost curve (issue 16), one row per data set size: a full metrics run
# (crmx-reportd --run-once; wall time and peak memory from /usr/bin/time)
# and the panels read afresh (pages.sh: cache off, 64 connections; the
# slowest page's p99 and the executive's pages).  tests/bench/run calls it
# once per size with BENCH_CURVE=1 (sizes: BENCH_CURVE_SIZES, default
# "10000 100000 1000000" accounts, 10x as many revenue rows); in the
# ordinary `make bench` it prints nothing.
set -eu

[ -n "${BENCH_CURVE_ROW:-}" ] || exit 0
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/common.sh"	# row
O=${O:-build/default}
conf=${CRMX_BENCH_CONF:?run through tests/bench/run}
dir=$CRMX_BENCH_DIR/curve
mkdir -p "$dir"

/usr/bin/time -f '%e %M' -o "$dir/time.txt" \
	"$top/$O/reportd/crmx-reportd" --config "$conf" --run-once --as-of 2026-06-30 >/dev/null 2>"$dir/run.log"
secs=$(awk '{ print $1 }' "$dir/time.txt")
mib=$(awk '{ printf "%.0f", $2 / 1024 }' "$dir/time.txt")
pages=$(BENCH_PAGE_SECONDS=${BENCH_PAGE_SECONDS:-3} sh "$top/tests/bench/pages.sh")
# the slowest page and the executive's, from pages.sh's rows
worst=$(printf '%s\n' "$pages" | awk -F'|' '{ split($2, w, " "); if ($3 + 0 > m) { m = $3 + 0; n = w[1] " " w[3] } }
        END { printf "%s ms (%s)", m, n }' | sed 's/,//')
execs=$(printf '%s\n' "$pages" | awk -F'|' '$2 ~ / exec,/ { split($2, w, " "); printf "%s%s %s", s, w[1], $3 + 0; s = ", " }')
row "cost curve, ${BENCH_ACCOUNTS:-?} accounts / ${BENCH_REVENUE:-?} revenue rows: full run (s), peak memory (MiB)" \
    "$secs s, $mib MiB" "" "" "" ""
row "cost curve, ${BENCH_ACCOUNTS:-?} accounts: uncached p99, slowest page; executive's pages (ms)" \
    "$worst" "$execs" "" "" ""
