# Sourced by the benchmarks tests/bench/run runs: the data set's database
# and a folder of the script's own.  Needs $top; bench_setup NAME sets $O,
# $conf, $host, $db and $dir ($CRMX_BENCH_DIR/NAME, made); q runs SQL on
# the data set, row prints a table row, bench_need_run makes a metrics run
# when the data set has none (or the latest predates the per-owner funnel
# figures, the team view's sums or the accounts' owners the panels read).
bench_setup() {
	O=${O:-build/default}
	conf=${CRMX_BENCH_CONF:?run through tests/bench/run}
	host=$CRMX_BENCH_PGHOST
	db=$CRMX_BENCH_DB
	dir=$CRMX_BENCH_DIR/$1
	mkdir -p "$dir"
}
q() { psql -h "$host" -U crmx -d "$db" -X -Atqc "$1"; }
row() { echo "| $1 | $2 | $3 | $4 | $5 | $6 |"; }
bench_need_run() {
	[ -n "$(q "SELECT 1 FROM crmx.latest_owner_metrics WHERE reached IS NOT NULL
	           AND (SELECT r.team_sums AND r.account_owners FROM crmx.run r
	                JOIN crmx.latest_run l USING (run_id)) LIMIT 1")" ] ||
		"$top/$O/reportd/crmx-reportd" --config "$conf" --run-once --as-of 2026-06-30 >/dev/null
}
