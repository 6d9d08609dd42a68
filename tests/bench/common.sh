# Sourced by the benchmarks tests/bench/run runs: the data set's database
# and a folder of the script's own.  Needs $top; bench_setup NAME sets $O,
# $conf, $host, $db and $dir ($CRMX_BENCH_DIR/NAME, made); q runs SQL on
# the data set, row prints a table row, free_port (tests/lib/sh.sh) and
# bench_nginx_stop start and stop a benchmark's nginx, bench_need_run makes a metrics run
# when the data set has none (or the latest predates the per-owner funnel
# figures, the team view's sums, the accounts' owners or the won months the
# panels read, or changes were marked since it: the pages' rows "since the
# run" leave theirs, and an executive's pipeline read after them at 29
# requests a second, not 750), with six months of runs before it.
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
# free_port (a loopback port the kernel picks) as the tests use it: a port
# made from the script's process id collided, the panels' nginx could not
# bind the one the pages' nginx, started 7,919 processes earlier, held.
. "$top/tests/lib/sh.sh"
# bench_nginx_stop DIR: the nginx of DIR stopped, and gone (with its port)
# before the next benchmark starts one.
bench_nginx_stop() {
	[ -f "$1/nginx.pid" ] || return 0
	_np=$(cat "$1/nginx.pid")
	kill "$_np" 2>/dev/null || return 0
	for _i in $(seq 100); do kill -0 "$_np" 2>/dev/null || return 0; sleep 0.1; done
}
# A CRM's crmx has run every week for months: the team view's forecast
# accuracy compares each of the six months before the latest run's with
# the forecast the last run before it made.  So the data set gets a run at
# the end of each of those months first (once; six runs), and then the
# latest again.
bench_need_run() {
	history=""
	for d in 2025-12-31 2026-01-31 2026-02-28 2026-03-31 2026-04-30 2026-05-31; do
		[ -z "$(q "SELECT 1 FROM crmx.run WHERE status = 'ok' AND as_of = '$d'")" ] || continue
		echo "bench: a run as of $d (the team view's forecast accuracy; once)" >&2
		"$top/$O/reportd/crmx-reportd" --config "$conf" --run-once --as-of "$d" >/dev/null
		history=1
	done
	[ -z "$history" ] && [ -n "$(q "SELECT 1 FROM crmx.latest_owner_metrics WHERE reached IS NOT NULL
	           AND (SELECT r.team_sums AND r.account_owners AND r.won_months AND r.as_of = '2026-06-30'
	                FROM crmx.run r JOIN crmx.latest_run l USING (run_id))
	           AND NOT EXISTS (SELECT 1 FROM crmx.changed_owner) AND NOT EXISTS (SELECT 1
	                FROM crmx.changed_deal) AND NOT EXISTS (SELECT 1 FROM crmx.changed_account)
	           LIMIT 1")" ] ||
		"$top/$O/reportd/crmx-reportd" --config "$conf" --run-once --as-of 2026-06-30 >/dev/null
}
