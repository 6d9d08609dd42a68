#!/bin/sh
# crmx on a real Tryton 6.0: the database tests/run-all initialised and
# seeded (tests/tryton/seed.py) read through sql/adapters/tryton.sql, a
# metrics run as of 2026-06-30, and the panels through nginx — every
# figure checked against values worked out by hand from the seed
# (tests/tryton/README lists the seed and the arithmetic).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
host=${CRMX_TEST_PGHOST:?}
if ! psql -h "$host" -U crmx -d crmx_tryton -X -Atqc "SELECT 1" >/dev/null 2>&1; then
	skip "crmx on Tryton" "no Tryton database (Tryton not installed?)"; exit 0
fi
command -v nginx >/dev/null 2>&1 || { skip "crmx on Tryton" "nginx not installed"; exit 0; }
tmp=$(mktemp -d)
chmod 755 "$tmp"
fcgi_pid=""
cleanup() {
	[ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null
	[ -n "$fcgi_pid" ] && kill "$fcgi_pid" 2>/dev/null
	sleep 0.2
	rm -rf "$tmp"
}
trap cleanup EXIT

db=t_tryton
q() { psql -h "$host" -U crmx -d $db -X -Atqc "$1"; }
psql -h "$host" -U crmx -d crmx -X -qc "DROP DATABASE IF EXISTS $db" 2>/dev/null
psql -h "$host" -U crmx -d crmx -X -qc "CREATE DATABASE $db TEMPLATE crmx_tryton"
ci="host=$host dbname=$db user=crmx"
# eq NAME GOT WANT
eq() { check "$1 ($2 = $3)" same "$2" "$3"; }
acct() { q "SELECT party FROM sale_opportunity WHERE description = '$1'"; }
C1=$(acct O1) C2=$(acct O3) C3=$(acct O4) C4=$(acct O5) C5=$(acct O6) C6=$(acct O7)

# ---- the read model -------------------------------------------------------
eq "customers: parties other than the company's and employees'" \
   "$(q "SELECT string_agg(name, ',' ORDER BY name) FROM crmx_src.accounts")" \
   "Bay Area Electronics,Capital Logistics,Jinqiao Machinery,Panda Software,Pearl River Foods,West Lake Tea"
eq "region and city from the first active address" \
   "$(q "SELECT region || '/' || city || '/' || industry FROM crmx_src.accounts WHERE account_id = $C1")" \
   "Shanghai/Shanghai/Machinery"
eq "owner: the user of the employee of the latest deal" \
   "$(q "SELECT string_agg(u.login, ',' ORDER BY a.account_id) FROM crmx_src.accounts a
         LEFT JOIN crmx_src.users u ON u.user_id = a.owner_id")" \
   "$(q "SELECT string_agg(l, ',' ORDER BY id) FROM (VALUES ($C1,'alice'),($C2,'alice'),($C3,'bob'),
         ($C4,'bob'),($C5,'bob'),($C6,'alice')) v(id, l)")"
eq "roles from employees and supervisors" \
   "$(q "SELECT string_agg(login || ':' || role || ':' || coalesce(team, '-'), ' ' ORDER BY login) FROM crmx_src.users")" \
   "admin:admin:- alice:rep:Carol Chen bob:rep:Carol Chen carol:manager:Carol Chen dave:exec:-"
eq "cancelled deal left out, 11 deals" "$(q "SELECT count(*) FROM crmx_src.opportunities")" 11
eq "Tryton's states mapped onto the funnel" \
   "$(q "SELECT string_agg(name || ':' || stage_rank || ':' || outcome, ' ' ORDER BY opportunity_id)
         FROM crmx_src.opportunities WHERE name IN ('O4','O6','O7','O9','O10','O11','O12')")" \
   "O4:5:won O6:5:lost O7:2:lost O9:2:open O10:1:open O11:5:open O12:1:lost"
eq "estimate recovered from history (Tryton holds $(q "SELECT amount::int FROM sale_opportunity WHERE description = 'O6'"))" \
   "$(q "SELECT amount::int FROM crmx_src.opportunities WHERE name = 'O6'")" 8000
eq "won deal worth its confirmed sale" "$(q "SELECT amount::int FROM crmx_src.opportunities WHERE name = 'O1'")" 50000
eq "stage history of the deal that skipped a state" \
   "$(q "SELECT string_agg(h.stage_rank || '@' || to_char(h.entered_at AT TIME ZONE 'UTC', 'MM-DD'), ' ' ORDER BY h.entered_at)
         FROM crmx_src.stage_history h JOIN crmx_src.opportunities o USING (opportunity_id) WHERE o.name = 'O4'")" \
   "1@12-01 5@12-11"
eq "revenue: posted and paid customer invoices, credit note negative" \
   "$(q "SELECT string_agg(booked_at || ':' || amount::int, ' ' ORDER BY booked_at) FROM crmx_src.revenue WHERE account_id = $C3")" \
   "2025-12-28:6000 2026-03-20:-1000"
eq "no draft or supplier invoice in revenue" "$(q "SELECT count(*) || '/' || sum(amount)::int FROM crmx_src.revenue")" "8/103500"

# ---- a metrics run --------------------------------------------------------
"$top/$O/reportd/crmx-reportd" --set "database.conninfo=$ci" --run-once --as-of 2026-06-30 \
	--format json >"$tmp/run.json" 2>"$tmp/run.log" || { fail "metrics run on Tryton"; cat "$tmp/run.log"; exit 0; }
pass "metrics run on Tryton"
j() { /usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$tmp/run.json" "$1"; }
eq "revenue in the window" "$(j 'j["accounts"]["total"]')" 99500.0
eq "revenue per customer" \
   "$(q "SELECT string_agg(revenue_window::int || coalesce(abc_class, '-'), ' ' ORDER BY revenue_window DESC)
         FROM crmx.latest_account_metrics")" "80000A 12000B 5000B 2000C 500C 0-"
eq "Jinqiao is the A customer" "$(q "SELECT abc_class FROM crmx.latest_account_metrics WHERE account_id = $C1")" A
eq "lifetime revenue counts the invoice before the window" \
   "$(q "SELECT hist_ltv::int FROM crmx.latest_account_metrics WHERE account_id = $C2")" 16000
eq "ABC classes" "$(j '"%(A)d/%(B)d/%(C)d" % j["accounts"]["classes"]')" 1/2/2
eq "top 20% share" "$(j 'round(j["accounts"]["top20_share"], 6)')" "$(/usr/bin/python3 -c 'print(round(80000/99500, 6))')"
eq "win rate: 5 won, 3 lost, cancelled not counted" \
   "$(j '"%d/%d/%.4f" % (j["funnel"]["won"], j["funnel"]["lost"], j["funnel"]["win_rate"])')" 5/3/0.6250
eq "stage conversion 1->2->3->4->5" "$(j 'j["funnel"]["conversion"]')" "[0.9, 0.875, 1.0, 1.0]"
eq "lead -> opportunity" "$(j 'round(j["funnel"]["lead_to_opportunity"], 6)')" "$(/usr/bin/python3 -c 'print(round(9/11, 6))')"
eq "reached per rank" "$(j '[s["reached"] for s in j["funnel"]["stages"]]')" "[11, 9, 7, 7, 7]"
eq "median days in stage" "$(j '[s["median_days_in_stage"] for s in j["funnel"]["stages"]]')" \
   "[10.0, 20.0, None, None, 17.5]"
eq "sales cycle median/mean" "$(j '"%g/%g" % (j["funnel"]["cycle_median_days"], j["funnel"]["cycle_mean_days"])')" 40/41
eq "weighted pipeline" "$(j 'j["funnel"]["weighted_pipeline"]')" 18500.0
eq "revenue and win rate per owner" \
   "$(q "SELECT string_agg(u.login || ':' || m.revenue::int || ':' || m.won || '/' || m.lost, ' ' ORDER BY u.login)
         FROM crmx.latest_owner_metrics m JOIN crmx_src.users u ON u.user_id = m.owner_id WHERE m.won + m.lost > 0")" \
   "alice:64000:3/2 bob:36000:2/1"

# ---- the panels through nginx -------------------------------------------
hash=$(openssl passwd -apr1 demo)
{ q "SELECT login FROM crmx_src.users"; } | sed "s|\$|:$hash|" >"$tmp/htpasswd"
chmod 644 "$tmp/htpasswd"
port=$(free_port)
"$top/deploy/nginx-conf.sh" panels "$tmp" "$port" "$tmp/fcgi.sock" "$tmp/htpasswd"
"$top/$O/fcgi/crmx.fcgi" --set "database.conninfo=$ci" --set "fcgi.listen=$tmp/fcgi.sock" --set "fcgi.socket_group=$("$top/deploy/nginx-group")" \
	--set fcgi.workers=2 2>"$tmp/fcgi.log" &
fcgi_pid=$!
wait_for 20 test -S "$tmp/fcgi.sock" || { fail "crmx.fcgi listens"; cat "$tmp/fcgi.log"; exit 0; }
nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/logs/error.log" || { fail "nginx starts"; exit 0; }
base=http://127.0.0.1:$port
get() {
	u=$1 p=$2; shift 2
	curl -s -o "$tmp/body" -w '%{http_code}' -u "$u:demo" "$@" "$base$p"
}
b() { /usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$tmp/body" "$1"; }
eq "alice opens Jinqiao's panel" "$(get alice "/crmx/accounts/$C1.json")" 200
eq "its revenue and class" "$(b '"%.2f %s %s" % (j["metrics"]["revenue_window"], j["metrics"]["abc_class"], j["city"])')" \
   "80000.00 A Shanghai"
eq "bob may not see alice's customer" "$(get bob "/crmx/accounts/$C1.json")" 404
eq "alice's pipeline" "$(get alice /crmx/pipeline.json)" 200
eq "alice's open deals and weighted pipeline" \
   "$(b '"%d %.2f" % (sum(s["open"] for s in j["stages"]), sum(s["weighted"] for s in j["stages"]))')" "2 18000.00"
eq "carol (manager) sees the team's pipeline" "$(get carol /crmx/pipeline.json)" 200
eq "the team's open deals and weighted pipeline" \
   "$(b '"%d %.2f" % (sum(s["open"] for s in j["stages"]), sum(s["weighted"] for s in j["stages"]))')" "3 18500.00"
# ---- kept pages: Tryton's tables tell crmx.fcgi what changed ------------------
hit() {	# hit USER PATH: asks until a worker answers from its cache
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		get "$1" "$2" -D "$tmp/head" >/dev/null
		grep -qi '^X-Crmx-Cache: hit' "$tmp/head" && return 0
	done
	return 1
}
# every USER PATH PYTHON-EXPR: answers (six at least) until each worker
# gave one (tests/lib/sh.sh each_worker), for each of which it holds
holds() { [ "$(get "$1" "$2")" = 200 ] && [ "$(b "$3")" = True ]; }
every() { each_worker 6 "$fcgi_pid" holds "$@"; }
check "the adapter has a change feed" test -n "$(q "SELECT crmx_src.change_feed()")"
check "a panel is kept" hit alice "/crmx/accounts/$C1.json"
q "UPDATE party_party SET name = 'Jinqiao Heavy Industry' WHERE id = $C1"
check "a customer renamed in Tryton shows in every worker" \
	every alice "/crmx/accounts/$C1.json" 'j["name"] == "Jinqiao Heavy Industry"'
hit alice "/crmx/accounts.json?size=50" && n_alice=$(b 'j["total"]')
hit bob /crmx/pipeline.json && hit alice "/crmx/accounts/$C1.json"
latest=$(q "SELECT id FROM sale_opportunity WHERE party = $C1 ORDER BY create_date DESC, id DESC LIMIT 1")
q "UPDATE sale_opportunity SET employee = (SELECT employee FROM res_user WHERE login = 'bob') WHERE id = $latest"
check "the latest deal given to bob's employee: the customer is bob's, 404 for alice" \
	sh -c 'for i in 1 2 3 4 5 6; do [ "$(curl -s -o /dev/null -w "%{http_code}" -u alice:demo "$0/crmx/accounts/'"$C1"'.json")" = 404 ] || exit 1; done' "$base"
check "... and bob has it" every bob "/crmx/accounts/$C1.json" 'j["name"] == "Jinqiao Heavy Industry"'
check "... and gone from alice's list" every alice "/crmx/accounts.json?size=50" "j['total'] == $n_alice - 1"

if [ -f "${CRMX_TRYTON_WORK:-}/trytond.conf" ]; then
	hit alice "/crmx/accounts/$C2.json"
	/usr/bin/python3 -W ignore "$top/tests/tryton/write.py" "$CRMX_TRYTON_WORK/trytond.conf" "$db" \
		"$C2" "Capital Logistics (renamed in Tryton)" >"$tmp/write.log" 2>&1
	check "Tryton's own write goes through the feed's triggers" test $? = 0 || cat "$tmp/write.log"
	check "... and shows on the next request in every worker" \
		every alice "/crmx/accounts/$C2.json" 'j["name"] == "Capital Logistics (renamed in Tryton)"'
else
	skip "a write through Tryton" "no trytond.conf in CRMX_TRYTON_WORK"
fi
# an address's street (in no sum) changed marks no owner for the run's
# sums; its city does (0039)
"$top/$O/reportd/crmx-reportd" --set "database.conninfo=$ci" --run-once --as-of 2026-06-30 \
	>/dev/null 2>>"$tmp/run.log" || fail "a metrics run before the address changes"
check "the run left no mark" test "$(q "SELECT count(*) FROM crmx.changed_owner")" = 0
q "UPDATE party_address SET street = 'Marks Test Road 1' WHERE party = $C3"
check "an address's street changed in Tryton marks no owner" \
	test "$(q "SELECT count(*) FROM party_address WHERE party = $C3 AND street = 'Marks Test Road 1'")/$(q \
	"SELECT count(*) FROM crmx.changed_owner")" = 1/0
q "UPDATE party_address SET city = city || ' Nord' WHERE party = $C3"
check "... its city marks the customer's owner for the accounts' sums" \
	test "$(q "SELECT string_agg(DISTINCT c.sums, ' ') FROM crmx.changed_owner c
	           JOIN crmx_src.accounts a ON a.owner_id = c.owner_id WHERE a.account_id = $C3")" = accounts
eq "dave (exec) lists every customer" "$(get dave "/crmx/accounts.json?size=50")" 200
eq "the list" "$(b 'j["total"]')" 6
# The search box of a rep and a manager through the adapter's
# crmx_src.search_owned (0040: the owners' parties read with the ILIKE).
for who in alice carol; do
	t=$(q "SELECT lower(substr(a.name, 2, 3)) FROM crmx_src.accounts a
	       JOIN crmx_src.users u ON u.user_id = a.owner_id
	       WHERE u.login IN ('$who', 'bob') ORDER BY u.login, a.account_id LIMIT 1")
	want=$(q "SELECT string_agg(a.account_id::text, ',' ORDER BY a.account_id)
	          FROM crmx_src.accounts a JOIN crmx_src.users u ON u.user_id = a.owner_id
	          WHERE (u.login = '$who' OR ('$who' = 'carol' AND u.team = 'Carol Chen'))
	          AND (a.name ILIKE '%$t%' OR a.city ILIKE '%$t%')")
	eq "$who searches \"$t\"" "$(get $who "/crmx/accounts.json?size=50&q=$t")" 200
	eq "... and finds the customers of hers that match" \
	   "$(b "','.join(str(r['account_id']) for r in sorted(j['accounts'], key=lambda r: r['account_id']))")" \
	   "$want"
done
