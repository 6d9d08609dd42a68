#!/bin/sh
# The demo behaves like a customer base (issue 15): on the demo data of
# `make run` (2,000 accounts, seed 1; anchor 2026-06-30) and two weekly
# runs, the
# BG/NBD fit is not degenerate, P(alive) spreads and is low for lapsed
# customers, the report's at-risk table fills; names are distinct, deals
# carry reviews, qualification records mostly agree with the contacts;
# deal outcomes depend on the source and the decision maker; deals and
# revenue spread over the last 26 weeks; the requested row counts hold.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
. "$top/tests/lib/runlog.sh"
O=${O:-build/default}
host=${CRMX_TEST_PGHOST:?}
reportd=$top/$O/reportd/crmx-reportd
db=${CRMX_DEMO_TEST_DB:-t_demo}
tmp=$(mktemp -d)
trap '[ -n "${KEEP_TMP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"' EXIT

q() { psql -h "$host" -U crmx -d $db -X -Atqc "$1"; }
qa() { psql -h "$host" -U crmx -d crmx -X -Atqc "$1"; }
ci="host=$host dbname=$db user=crmx"
# CRMX_DEMO_TEST_DB: check a database made elsewhere (e.g. by an older crmx).
# The tables' indexes, as the catalog defines them (the demo sets aside
# those backing no constraint while it loads and builds them again).
indexes() {
	q "SELECT string_agg(indexdef, E'\n' ORDER BY indexname) FROM pg_indexes
	   WHERE schemaname IN ('crmx_native', 'crmx')"
}
if [ -z "${CRMX_DEMO_TEST_DB:-}" ]; then
	qa "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	qa "CREATE DATABASE $db TEMPLATE crmx_template" >/dev/null
	indexes >"$tmp/indexes.before"
	"$top/$O/admin/crmx-admin" --config "${CRMX_TEST_CONF:-/dev/null}" --sql-dir "$top/sql" \
		--set "database.conninfo=$ci" demo --seed 1 --anchor 2026-06-30 >"$tmp/demo.log" 2>&1 ||
		cat "$tmp/demo.log"
	indexes >"$tmp/indexes.after"
	check "the demo leaves every index as it was (the search index among them)" sh -c \
		"grep -q accounts_search_keys '$tmp/indexes.before' && cmp -s '$tmp/indexes.before' '$tmp/indexes.after'"
fi
rd() { "$reportd" --set "database.conninfo=$ci" --set reportd.report_dir="$tmp/reports" "$@"; }
# yes SQL: the query's one value is t.
yes() { v=$(q "$1"); [ "$v" = t ] || { echo "got \"$v\" for: $1" >&2; return 1; }; }

rd --run-once --as-of 2026-06-23 >/dev/null 2>"$tmp/r1.log" || cat "$tmp/r1.log"
rd --run-once --report --as-of 2026-06-30 >/dev/null 2>"$tmp/r2.log" || cat "$tmp/r2.log"
run=$(q "SELECT run_id FROM crmx.run WHERE as_of = '2026-06-30' AND status = 'ok' ORDER BY run_id DESC LIMIT 1")
prev=$(q "SELECT run_id FROM crmx.run WHERE as_of = '2026-06-23' AND status = 'ok' ORDER BY run_id DESC LIMIT 1")
check "two weekly runs" test -n "$run" -a -n "$prev"
# the run's log gives its peak memory at each stage, none smaller than
# the one before (a peak only grows)
check "the run's log line gives its peak memory by stage" /usr/bin/python3 - "$tmp/r1.log" <<'PY'
import re, sys
m = re.search(r"peak memory (\d+) MiB read, (\d+) computed before the learned forecast,"
              r" (\d+) after it, (\d+) stored", open(sys.argv[1]).read())
v = [int(x) for x in m.groups()] if m else []
sys.exit(0 if len(v) == 4 and v[0] > 0 and v == sorted(v) else 1)
PY
# and each stage's time: the learned forecast and the accounts' rows
# copied before it (the server indexing them meanwhile) are parts of the
# computing
check "the run's log line gives each stage's time, the forecast and the copy within the computing" \
	/usr/bin/python3 - "$tmp/r1.log" <<'PY'
import re, sys
m = re.search(r"read ([0-9.]+) s, computed ([0-9.]+) s \(learned forecast ([0-9.]+) s,"
              r" accounts' rows copied before it ([0-9.]+) s\), stored ([0-9.]+) s;",
              open(sys.argv[1]).read())
v = [float(x) for x in m.groups()] if m else []
sys.exit(0 if len(v) == 5 and v[1] > 0 and v[2] + v[3] <= v[1] + 0.01 and v[4] > 0 else 1)
PY
# the forecast bench reads the forecast's time from that line (it failed
# silently for several sessions when the line grew)
fc_py=$(sed -n "s/.*(learned forecast \([0-9.]*\) s, accounts' rows copied.*/\1/p" "$tmp/r1.log")
check "the forecast bench reads the forecast's time from it ($(runlog_forecast_s "$tmp/r1.log") s, the line $fc_py s)" \
	test -n "$fc_py" -a "$(runlog_forecast_s "$tmp/r1.log")" = "$fc_py"
rd --run-once --as-of 2026-06-30 --format json >"$tmp/sum.json" 2>/dev/null

# --- the customer base -------------------------------------------------------
check "BG/NBD parameters finite and away from the bounds" /usr/bin/python3 - "$tmp/sum.json" <<'PY'
import json, math, sys
p = json.load(open(sys.argv[1]))["ltv"]["bgnbd"]
bad = [k for k in ("r", "alpha", "a", "b")
       if p.get(k) is None or not math.isfinite(p[k]) or not 1e-3 < p[k] < 1e3]
print("bgnbd", {k: p.get(k) for k in ("r", "alpha", "a", "b")}, file=sys.stderr)
sys.exit(1 if bad or p.get("accounts", 0) < 100 else 0)
PY
check "mean P(alive) below 90%, at least 10% of accounts below 50%" yes \
	"SELECT count(p_alive) >= 100 AND avg(p_alive) < 0.9
	        AND count(*) FILTER (WHERE p_alive < 0.5) >= 0.1 * count(p_alive)
	   FROM crmx.account_metrics WHERE run_id = $run"
check "lapsed customers: low P(alive) (repeat buyers under 30%, all under 50%)" yes \
	"SELECT count(*) FILTER (WHERE x > 0) >= 20
	        AND avg(p_alive) FILTER (WHERE x > 0) < 0.3 AND avg(p_alive) < 0.5
	   FROM crmx.account_metrics WHERE run_id = $run AND segment = 'lapsed'"
check "active repeat buyers are more alive than lapsed ones" yes \
	"SELECT avg(p_alive) FILTER (WHERE segment = 'active') > avg(p_alive) FILTER (WHERE segment = 'lapsed') + 0.3
	   FROM crmx.account_metrics WHERE run_id = $run AND x > 0"
html=$(ls "$tmp"/reports/*/index.html 2>/dev/null | head -n 1)
rows=$(sed -n '/<section id="accounts_at_risk">/,/<\/section>/p' "${html:-/dev/null}" | grep -c '<tr><td')
check "the report's at-risk table is not empty ($rows rows)" test "$rows" -gt 0
check "the headline cards compare with the week before" grep -q 'Changes are against the run as of 2026-06-23' "${html:-/dev/null}"

# --- names, reviews, qualification ---------------------------------------------
check "account names distinct (>= 95%), in both scripts" yes \
	"SELECT count(DISTINCT name) >= 0.95 * count(*)
	        AND count(DISTINCT name) FILTER (WHERE name ~ '[一-龥]') >= 0.95 * count(*) FILTER (WHERE name ~ '[一-龥]')
	        AND count(*) FILTER (WHERE name ~ '[一-龥]') > 50
	        AND count(*) FILTER (WHERE name !~ '[一-龥]') > 50
	   FROM crmx_src.accounts"
check "deals carry reviews answering the four questions" yes \
	"SELECT count(DISTINCT r.opportunity_id) >= 0.3 * (SELECT count(*) FROM crmx_src.opportunities WHERE stage_rank >= 2)
	        AND bool_and(r.step_completed <> '' AND r.evidence <> '' AND r.action <> '' AND r.plan <> '')
	        AND bool_and(r.created_at >= o.created_at AND r.created_at <= coalesce(o.closed_at, '2026-07-01'))
	   FROM crmx.deal_review r JOIN crmx_src.opportunities o USING (opportunity_id)"
check "qualification agrees with the contacts on the decision maker (85-98%, some not)" yes \
	"SELECT count(*) > 100 AND avg((q.has_authority = d.has_dm)::int) BETWEEN 0.85 AND 0.98
	   FROM crmx.qualification q
	   JOIN (SELECT account_id, bool_or(purchase_role = 'decision_maker') AS has_dm
	           FROM crmx_src.contacts GROUP BY 1) d USING (account_id)"

# --- deals: outcomes that depend on what they would --------------------------
win() {	# win WHERE: win rate of the closed deals matching WHERE
	q "SELECT round(avg((o.outcome = 'won')::int), 3) FROM crmx_src.opportunities o
	    WHERE o.outcome <> 'open' AND $1"
}
dm="EXISTS (SELECT 1 FROM crmx_src.contacts c JOIN crmx.contact_role r USING (contact_id)
            WHERE c.account_id = o.account_id AND c.purchase_role = 'decision_maker' AND r.reached)"
w_ref=$(win "o.source IN ('referral', 'partner')") w_cold=$(win "o.source = 'cold call'")
w_dm=$(win "$dm") w_nodm=$(win "NOT $dm")
check "referral and partner deals win more than cold calls ($w_ref vs $w_cold)" \
	/usr/bin/python3 -c "import sys; sys.exit(0 if float('$w_ref') > float('$w_cold') + 0.05 else 1)"
check "deals whose decision maker was reached win more ($w_dm vs $w_nodm)" \
	/usr/bin/python3 -c "import sys; sys.exit(0 if float('$w_dm') > float('$w_nodm') + 0.03 else 1)"
check "deals and revenue in each of the last 26 weeks" yes \
	"SELECT count(DISTINCT (DATE '2026-06-30' - created_at::date) / 7) FILTER (WHERE created_at::date > DATE '2026-06-30' - 182) = 26
	        AND (SELECT count(DISTINCT (DATE '2026-06-30' - booked_at) / 7) FROM crmx_src.revenue
	              WHERE booked_at > DATE '2026-06-30' - 182) = 26
	   FROM crmx_src.opportunities"
check "no week is a spike of new deals (the last week under 3x the 26-week mean)" yes \
	"SELECT count(*) FILTER (WHERE created_at::date > DATE '2026-06-23') * 26
	        < 3 * count(*) FILTER (WHERE created_at::date > DATE '2026-06-30' - 182)
	   FROM crmx_src.opportunities"
check "the requested row counts (2000 accounts and deals, 20000 revenue rows, 6000 activities)" same \
	"$(q "SELECT (SELECT count(*) FROM crmx_src.accounts) || ' ' || (SELECT count(*) FROM crmx_src.opportunities)
	      || ' ' || (SELECT count(*) FROM crmx_src.revenue) || ' ' || (SELECT count(*) FROM crmx_native.activities)")" \
	"2000 2000 20000 6000"

[ -n "${CRMX_DEMO_TEST_DB:-}" ] || qa "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
exit 0
