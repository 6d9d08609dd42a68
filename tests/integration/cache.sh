#!/bin/sh
# The panels' kept pages (fcgi/cache.c) and the change feed (migration
# 0012): through nginx -> crmx.fcgi (two workers) -> PostgreSQL, a page
# is served again from a worker's memory, and every change the CRM makes
# in SQL — a name, an owner, a contact, revenue, a deal, its history, a
# user's role, a metrics run — shows on the next request in every worker.
# So do a saved form, a lost connection and an adapter without a feed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "kept pages through nginx" "nginx not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
trap 'panels_env_stop' EXIT
panels_env_start t_cache || exit 0

rep=$(q "SELECT login FROM crmx_src.users WHERE role = 'rep' ORDER BY user_id LIMIT 1")
rep_id=$(q "SELECT user_id FROM crmx_src.users WHERE login = '$rep'")
mgr=$(q "SELECT m.login FROM crmx_src.users m JOIN crmx_src.users r ON r.team = m.team
         WHERE m.role = 'manager' AND r.user_id = $rep_id LIMIT 1")
rep2_id=$(q "SELECT user_id FROM crmx_src.users WHERE role = 'rep' AND user_id <> $rep_id
             ORDER BY user_id LIMIT 1")
rep2=$(q "SELECT login FROM crmx_src.users WHERE user_id = $rep2_id")
mine=$(q "SELECT account_id FROM crmx_src.accounts WHERE owner_id = $rep_id ORDER BY account_id LIMIT 1")
deal=$(q "SELECT opportunity_id FROM crmx_src.opportunities
          WHERE owner_id = $rep_id AND outcome = 'open' ORDER BY opportunity_id LIMIT 1")

# cache_state: the X-Crmx-Cache header of the last response
cache_state() { sed -n 's/^X-Crmx-Cache: \([a-z]*\).*/\1/ip' "$tmp/head" | tr -d '\r'; }
# warm USER PATH: asks until a worker answers from its cache (both
# workers then hold the page, or soon will); 0 when one did
warm() {
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		get "$1" "$2" >/dev/null
		[ "$(cache_state)" = hit ] && return 0
	done
	return 1
}
# every USER PATH COMMAND...: requests (six at least) until each worker
# answered one (tests/lib/sh.sh each_worker), COMMAND true after each
ask() {
	u=$1 p=$2; shift 2
	get "$u" "$p" >"$tmp/status"
	"$@"
}
every() { each_worker 6 "$fcgi_pid" ask "$@"; }
has() { grep -q "$1" "$tmp/body"; }
status_is() { test "$(cat "$tmp/status")" = "$1"; }
jtrue() { json "$1" | grep -qx True; }
# uncached: the last answer came (it has a status line) and not from a cache
uncached() { grep -q '^HTTP/' "$tmp/head" && test -z "$(cache_state)"; }

# --- kept and served again --------------------------------------------------
get "$rep" "/crmx/accounts/$mine" >/dev/null
check "first request: a miss" test "$(cache_state)" = miss
cp "$tmp/body" "$tmp/first"
check "the same page again comes from a worker's cache" warm "$rep" "/crmx/accounts/$mine"
check "... byte for byte the page that was rendered" cmp -s "$tmp/body" "$tmp/first"
check "... with the security headers" grep -qi "^Content-Security-Policy: default-src 'none'" "$tmp/head"
check "... as HTML" grep -qi '^Content-Type: text/html' "$tmp/head"
warm "$rep" "/crmx/accounts/$mine.json"
check "JSON kept apart from HTML" grep -qi '^Content-Type: application/json' "$tmp/head"
get "$rep" "/crmx/accounts/$mine?lang=zh-CN" >/dev/null
check "each language kept apart" test "$(cache_state)" = miss
check "... and in its language" grep -qi '^Content-Language: zh-CN' "$tmp/head"
get "$mgr" "/crmx/accounts/$mine" >/dev/null
check "each viewer kept apart" test "$(cache_state)" = miss
check "no page for a user who is not known" test "$(get ghost /crmx/accounts)" = 403

# --- changes made by the CRM, in SQL -----------------------------------------
warm "$rep" "/crmx/accounts/$mine" && warm "$mgr" "/crmx/accounts/$mine" && warm exec "/crmx/accounts/$mine"
q "UPDATE crmx_native.accounts SET name = 'Renamed in the CRM' WHERE account_id = $mine"
check "account renamed: the rep sees it in every worker" every "$rep" "/crmx/accounts/$mine" has 'Renamed in the CRM'
check "... the manager too" every "$mgr" "/crmx/accounts/$mine" has 'Renamed in the CRM'
check "... and the executive" every exec "/crmx/accounts/$mine" has 'Renamed in the CRM'

warm "$rep" "/crmx/accounts/$mine.json"
q "UPDATE crmx_native.accounts SET industry = 'Industry changed in the CRM' WHERE account_id = $mine"
check "industry changed (in no sum, 0039): shown in every worker" every "$rep" "/crmx/accounts/$mine.json" \
	jtrue 'j["industry"] == "Industry changed in the CRM"'

warm "$rep" "/crmx/accounts/$mine.json"
q "INSERT INTO crmx_native.contacts (contact_id, account_id, name, title)
   SELECT max(contact_id) + 1, $mine, 'Newly Added Buyer', 'CFO' FROM crmx_native.contacts"
check "contact added: shown" every "$rep" "/crmx/accounts/$mine.json" jtrue '"Newly Added Buyer" in [k["name"] for k in j["contacts"]]'

last_month=$(json 'j["revenue_months"][-1]["month"]')
before=$(json 'j["revenue_months"][-1]["revenue"]')
q "INSERT INTO crmx_native.revenue (account_id, booked_at, amount) VALUES ($mine, '$last_month-15', 1234.5)"
check "revenue booked: this month's bar grows by it" every "$rep" "/crmx/accounts/$mine.json" \
	jtrue "abs(j['revenue_months'][-1]['revenue'] - $before - 1234.5) < 0.01"

warm "$rep" /crmx/pipeline.json && warm "$mgr" /crmx/pipeline.json && warm exec /crmx/pipeline.json
q "UPDATE crmx_native.opportunities SET amount = 987654321, probability = 1 WHERE opportunity_id = $deal"
check "deal amount changed: the rep's pipeline shows it" every "$rep" /crmx/pipeline.json \
	jtrue "j['deals'][0]['opportunity_id'] == $deal"
check "... the manager's" every "$mgr" /crmx/pipeline.json jtrue "$deal in [d['opportunity_id'] for d in j['deals']]"
check "... the executive's" every exec /crmx/pipeline.json jtrue "j['deals'][0]['opportunity_id'] == $deal"

warm "$rep" "/crmx/deals/$deal.json"
n_hist=$(json 'len(j["stage_history"])')
q "INSERT INTO crmx_native.stage_history (opportunity_id, stage_rank, entered_at) VALUES ($deal, 5, now())"
check "stage history grows: the deal panel shows it" every "$rep" "/crmx/deals/$deal.json" \
	jtrue "len(j['stage_history']) == $n_hist + 1"

# The CRM writes as its own database role, which has no rights on crmx's
# schemas: its write goes through, and is announced all the same.
warm "$rep" "/crmx/accounts/$mine"
q "DO \$\$ BEGIN CREATE ROLE crmx_test_crm; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$;
   GRANT USAGE ON SCHEMA crmx_native TO crmx_test_crm;
   GRANT SELECT, UPDATE ON crmx_native.accounts TO crmx_test_crm"
check "the CRM's own role writes with the feed's triggers in place" \
	q "SET ROLE crmx_test_crm; UPDATE crmx_native.accounts SET name = 'Renamed by the CRM role'
	   WHERE account_id = $mine"
check "... and the change shows in every worker" every "$rep" "/crmx/accounts/$mine" has 'Renamed by the CRM role'

# An owner change: the old owner loses the account at once, the new one has it.
warm "$rep" "/crmx/accounts/$mine" && warm "$rep" /crmx/accounts.json
n_before=$(json 'j["total"]')
warm "$rep2" /crmx/accounts.json
q "UPDATE crmx_native.accounts SET owner_id = $rep2_id WHERE account_id = $mine"
check "account given to another rep: 404 for the old owner" every "$rep" "/crmx/accounts/$mine" status_is 404
check "... gone from the old owner's list" every "$rep" /crmx/accounts.json jtrue "j['total'] == $n_before - 1"
check "... the new owner has it" every "$rep2" "/crmx/accounts/$mine" status_is 200
q "UPDATE crmx_native.accounts SET owner_id = $rep_id WHERE account_id = $mine"
check "... and back" every "$rep" "/crmx/accounts/$mine" status_is 200

# A user made an executive sees everything on the next request.
warm "$rep2" /crmx/accounts.json
q "UPDATE crmx_native.users SET role = 'exec' WHERE user_id = $rep2_id"
n_all=$(q "SELECT count(*) FROM crmx_src.accounts")
check "rep promoted: sees every account at once" every "$rep2" /crmx/accounts.json jtrue "j['total'] == min($n_all, 10000)"
q "UPDATE crmx_native.users SET role = 'rep' WHERE user_id = $rep2_id"

# A new metrics run shows everywhere.
warm "$rep" "/crmx/accounts/$mine.json"
"$top/$O/reportd/crmx-reportd" --set "database.conninfo=$ci" --run-once --as-of 2026-07-07 >/dev/null 2>&1
check "a new metrics run: the panel is as of its date" every "$rep" "/crmx/accounts/$mine.json" \
	jtrue "j['metrics']['as_of'] == '2026-07-07'"

# --- a saved form ---------------------------------------------------------------
warm "$rep" "/crmx/accounts/$mine"
tok=$(sed -n 's/.*name="csrf" value="\([0-9a-f.]*\)".*/\1/p' "$tmp/body" | head -n 1)
st=$(curl -s -o "$tmp/body" -D "$tmp/head" -w '%{http_code}' -u "$rep:demo" \
	-H 'Content-Type: application/x-www-form-urlencoded' \
	--data-raw "has_need=yes&can_pay=yes&has_authority=yes&burning_issue=Kept+pages+test&csrf=$tok" \
	"$base/crmx/accounts/$mine")
loc=$(sed -n 's/^Location: \([^#]*\).*/\1/ip' "$tmp/head" | tr -d '\r')
check "form saved: 303 to the page marked saved ($loc)" test "$st" = 303 -a "$loc" = "/crmx/accounts/$mine?saved=1"
get "$rep" "$loc" >/dev/null
check "... which says so" has 'Saved.'
check "... read afresh, never from a cache" uncached
check "... and shows what was saved" has 'Kept pages test'
check "the plain page shows it in every worker" every "$rep" "/crmx/accounts/$mine" has 'Kept pages test'

# --- a lost connection --------------------------------------------------------
warm "$rep" "/crmx/accounts/$mine"
q "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
    WHERE application_name = 'crmx.fcgi' AND datname = '$db'" >/dev/null
q "UPDATE crmx_native.accounts SET name = 'Renamed while nobody listened' WHERE account_id = $mine"
check "connection lost meanwhile: nothing stale is served" every "$rep" "/crmx/accounts/$mine" \
	has 'Renamed while nobody listened'

# --- an adapter without a change feed keeps nothing ---------------------------
q "DROP FUNCTION crmx_src.change_feed(); NOTIFY crmx_changed, 'adapter'"
get "$rep" "/crmx/accounts/$mine" >/dev/null
get "$rep" "/crmx/accounts/$mine" >/dev/null
check "no feed: every page read from the database" every "$rep" "/crmx/accounts/$mine" uncached
q "ALTER TABLE crmx_native.accounts DISABLE TRIGGER USER"
q "UPDATE crmx_native.accounts SET name = 'Renamed without a feed' WHERE account_id = $mine"
check "... so a change nobody announced still shows" every "$rep" "/crmx/accounts/$mine" has 'Renamed without a feed'
q "ALTER TABLE crmx_native.accounts ENABLE TRIGGER USER"
q "CREATE FUNCTION crmx_src.change_feed() RETURNS text LANGUAGE sql IMMUTABLE AS \$\$ SELECT 'crmx_changed' \$\$;
   NOTIFY crmx_changed, 'adapter'"
get "$rep" "/crmx/accounts/$mine" >/dev/null
check "the feed back: pages kept again" warm "$rep" "/crmx/accounts/$mine"

exit 0
