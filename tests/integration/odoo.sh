#!/bin/sh
# crmx on Odoo 16/17's tables: the fixture tests/fixtures/odoo_schema.sql
# (Odoo is not in Debian) read through sql/adapters/odoo.sql, and a
# metrics run as of 2026-06-30, checked against figures worked out by hand
# from the fixture's rows.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
host=${CRMX_TEST_PGHOST:?}
db=t_odoo
q() { psql -h "$host" -U crmx -d $db -X -Atqc "$1"; }
psql -h "$host" -U crmx -d crmx -X -qc "DROP DATABASE IF EXISTS $db" 2>/dev/null
psql -h "$host" -U crmx -d crmx -X -qc "CREATE DATABASE $db TEMPLATE crmx_odoo" ||
	{ fail "copy of the Odoo fixture database"; exit 0; }
eq() { check "$1 ($2 = $3)" same "$2" "$3"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

eq "customers: commercial partners, not the company's or staff's" \
   "$(q "SELECT string_agg(account_id || ':' || coalesce(region, '-') || '/' || coalesce(city, '-'), ' ' ORDER BY account_id) FROM crmx_src.accounts")" \
   "10:Shanghai/Shanghai 20:Guangdong/Guangzhou 30:Guangdong/Shenzhen"
eq "owners are the salespersons" "$(q "SELECT string_agg(u.login, ',' ORDER BY a.account_id) FROM crmx_src.accounts a JOIN crmx_src.users u ON u.user_id = a.owner_id")" "demo,lisa,demo"
eq "roles from sales teams; portal users left out" \
   "$(q "SELECT string_agg(login || ':' || role, ' ' ORDER BY login) FROM crmx_src.users")" \
   "admin:admin demo:rep eve:exec lisa:rep sam:manager"
eq "contacts are persons, not addresses" "$(q "SELECT string_agg(contact_id::text, ',' ORDER BY contact_id) FROM crmx_src.contacts")" "11,12,21"
eq "outcomes: won stage, archived at 0%, archived duplicate left out" \
   "$(q "SELECT string_agg(opportunity_id || ':' || outcome || ':' || stage_rank, ' ' ORDER BY opportunity_id) FROM crmx_src.opportunities")" \
   "101:won:5 102:lost:2 103:open:3 104:open:1"
eq "stage history from tracking values (a salesperson change is not one)" \
   "$(q "SELECT string_agg(stage_rank || '@' || to_char(entered_at AT TIME ZONE 'UTC', 'MM-DD'), ' ' ORDER BY entered_at) FROM crmx_src.stage_history WHERE opportunity_id = 101")" \
   "1@01-01 2@01-11 3@02-01"
eq "revenue: posted invoices untaxed, refunds negative" \
   "$(q "SELECT string_agg(account_id || ':' || amount::int, ' ' ORDER BY booked_at) FROM crmx_src.revenue")" \
   "30:1500 10:40000 10:-5000 20:8000"

"$top/$O/reportd/crmx-reportd" --set "database.conninfo=host=$host dbname=$db user=crmx" --run-once \
	--as-of 2026-06-30 --format json >"$tmp/run.json" 2>"$tmp/run.log" ||
	{ fail "metrics run on Odoo's tables"; cat "$tmp/run.log"; exit 0; }
pass "metrics run on Odoo's tables"
j() { /usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$tmp/run.json" "$1"; }
eq "revenue per customer and ABC class (0.8 T = 35600, 0.95 T = 42275)" \
   "$(q "SELECT string_agg(account_id || ':' || revenue_window::int || coalesce(abc_class, '-'), ' ' ORDER BY account_id) FROM crmx.latest_account_metrics")" \
   "10:35000A 20:8000A 30:1500C"
eq "win rate 1 won / 1 lost" "$(j '"%d/%d/%.2f" % (j["funnel"]["won"], j["funnel"]["lost"], j["funnel"]["win_rate"])')" "1/1/0.50"
eq "weighted pipeline 30000 x 0.6 + 2000 x 0.1" "$(j 'j["funnel"]["weighted_pipeline"]')" 18200.0
eq "reached per rank" "$(j '[s["reached"] for s in j["funnel"]["stages"]]')" "[4, 3, 2, 1, 1]"
eq "median days in stage (10 14 10 | 21 28 21 | 19)" "$(j '[s["median_days_in_stage"] for s in j["funnel"]["stages"]]')" \
   "[10.0, 21.0, 19.0, None, None]"
eq "activities counted" "$(j 'j["rows"]["activities"]')" 2

# Odoo 16 names the tracked field's column "field": the adapter reads either.
q "ALTER TABLE mail_tracking_value RENAME COLUMN field_id TO field"
"$top/$O/admin/crmx-admin" --config "${CRMX_TEST_CONF:?}" --sql-dir "$top/sql" \
	--set "database.conninfo=host=$host dbname=$db user=crmx" adapter odoo >"$tmp/adapter.log" 2>&1 ||
	cat "$tmp/adapter.log"
eq "Odoo 16's tracking column" "$(q "SELECT count(*) FROM crmx_src.stage_history")" 9
