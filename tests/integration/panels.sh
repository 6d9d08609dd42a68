#!/bin/sh
# The panels through a real nginx -> crmx.fcgi -> PostgreSQL: numbers of
# known accounts, visibility by role in HTML, JSON and lists, escaping,
# malformed requests, languages, security headers, a dead database.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "panels through nginx" "nginx not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
fcgi2_pid=""
trap '[ -n "$fcgi2_pid" ] && kill "$fcgi2_pid" 2>/dev/null; panels_env_stop' EXIT
panels_env_start t_panels || exit 0

rep=$(q "SELECT login FROM crmx_src.users WHERE role = 'rep' ORDER BY user_id LIMIT 1")
rep_id=$(q "SELECT user_id FROM crmx_src.users WHERE login = '$rep'")
mine=$(q "SELECT account_id FROM crmx_src.accounts WHERE owner_id = $rep_id ORDER BY account_id LIMIT 1")
other=$(q "SELECT account_id FROM crmx_src.accounts WHERE owner_id <> $rep_id ORDER BY account_id LIMIT 1")
mgr=$(q "SELECT m.login FROM crmx_src.users m JOIN crmx_src.users r ON r.team = m.team
         WHERE m.role = 'manager' AND r.user_id = $rep_id LIMIT 1")

check "no password: 401" test "$(curl -s -o /dev/null -w '%{http_code}' "$base/crmx/accounts")" = 401
check "unknown CRM user: 403" test "$(get ghost /crmx/accounts)" = 403

check "rep sees an own account (JSON)" test "$(get "$rep" "/crmx/accounts/$mine.json")" = 200
want=$(q "SELECT revenue_window FROM crmx.latest_account_metrics WHERE account_id = $mine")
got=$(/usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["metrics"]; print("%.2f" % m["revenue_window"])' "$tmp/body")
check "account revenue matches the metrics run ($got = $want)" same "$got" "$want"
check "rep gets 404 for another rep's account (HTML)" test "$(get "$rep" "/crmx/accounts/$other")" = 404
check "rep gets 404 for another rep's account (JSON)" test "$(get "$rep" "/crmx/accounts/$other.json")" = 404
get "$rep" "/crmx/accounts.json?size=200" >/dev/null
n_list=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$tmp/body")
n_own=$(q "SELECT count(*) FROM crmx_src.accounts WHERE owner_id = $rep_id")
check "rep's list holds exactly the own accounts ($n_list = $n_own)" same "$n_list" "$n_own"
rep_name=$(q "SELECT name FROM crmx_src.users WHERE user_id = $rep_id")
check "every listed account is the rep's own" /usr/bin/python3 -c 'import json,sys; a = json.load(open(sys.argv[1]))["accounts"]; assert a and all(x["owner"] == sys.argv[2] for x in a)' "$tmp/body" "$rep_name"
get "$mgr" "/crmx/accounts.json?size=1" >/dev/null
n_mgr=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$tmp/body")
n_team=$(q "SELECT count(*) FROM crmx_src.accounts a JOIN crmx_src.users u ON u.user_id = a.owner_id
            WHERE u.team = (SELECT team FROM crmx_src.users WHERE login = '$mgr')")
check "manager sees the team's accounts ($n_mgr = $n_team)" same "$n_mgr" "$n_team"
check "manager sees the rep's account" test "$(get "$mgr" "/crmx/accounts/$mine")" = 200
get exec "/crmx/accounts.json?size=1" >/dev/null
n_all=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$tmp/body")
check "exec sees all accounts ($n_all)" same "$n_all" "$(q "SELECT count(*) FROM crmx_src.accounts")"

# The lists sorted by a run's figure are read in the run index's order,
# the rows without the figure (here an account newer than the run) after
# them (issue 16): page by page, the same rows as one sort of all rows.
q "INSERT INTO crmx_native.accounts (account_id, name, owner_id, region, city)
   VALUES (990001, 'After the run', $rep_id, 'East', 'Shanghai')" >/dev/null
# order_pages USER SORT COLUMN SCOPE: every page's ids (100 a page) = the full sort's
order_pages() {
	want=$(q "SELECT string_agg(a.account_id::text, ',' ORDER BY m.$3 DESC NULLS LAST, a.account_id)
	          FROM crmx_src.accounts a LEFT JOIN crmx.latest_account_metrics m
	            ON m.account_id = a.account_id WHERE $4")
	got="" n=1	# not p: get() sets it
	while [ "$n" -le 20 ]; do
		get "$1" "/crmx/accounts.json?sort=$2&size=100&page=$n" >/dev/null
		ids=$(/usr/bin/python3 -c 'import json,sys; print(",".join(str(a["account_id"]) for a in json.load(open(sys.argv[1]))["accounts"]))' "$tmp/body")
		[ -n "$ids" ] || break
		got=${got:+$got,}$ids n=$((n + 1))
	done
	check "$1's accounts by $2, page by page: one sort of all rows (${#want} chars)" \
		test -n "$want" -a "$got" = "$want"
}
order_pages exec revenue revenue_window true
order_pages exec ltv ltv_pred true
order_pages exec activity last_activity true
order_pages "$rep" ltv ltv_pred "a.owner_id = $rep_id"
order_pages "$rep" revenue revenue_window "a.owner_id = $rep_id"
q "DELETE FROM crmx_native.accounts WHERE account_id = 990001" >/dev/null

check "account 7 shown (exec)" test "$(get exec /crmx/accounts/7)" = 200
dm7=$(q "SELECT count(*) FROM crmx_src.contacts WHERE account_id = 7 AND purchase_role = 'decision_maker'")
if [ "$dm7" -gt 0 ]; then
	check "the key person is listed first" sh -c "grep -o '<ul class=\"contacts\"><li>.*' '$tmp/body' | sed 's|</li>.*||' | grep -q 'decision maker'"
else
	check "a missing key person is flagged" grep -q 'No decision maker known' "$tmp/body"
fi
check "its name is escaped" grep -q '&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons &quot;Ltd&quot;' "$tmp/body"
check "no live script from data" absent '<script>alert' "$tmp/body"
check "CSP header" grep -qi "^Content-Security-Policy: default-src 'none'" "$tmp/head"
check "nosniff header" grep -qi '^X-Content-Type-Options: nosniff' "$tmp/head"
check "frame-ancestors 'self'" grep -qi "frame-ancestors 'self'" "$tmp/head"

check "malformed id: 400" test "$(get exec /crmx/accounts/abc)" = 400
check "the 400 says why" grep -q "positive whole number" "$tmp/body"
check "bad sort: 400" test "$(get exec '/crmx/accounts?sort=name;drop')" = 400
check "bad encoding: 400" test "$(get exec '/crmx/accounts?city=%ff')" = 400
check "bad page size: 400 (JSON)" test "$(get exec '/crmx/accounts.json?size=100000')" = 400
check "the JSON error is JSON" /usr/bin/python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["status"] == 400' "$tmp/body"
check "unknown page: 404" test "$(get exec /crmx/nowhere)" = 404

get exec /crmx/accounts -H 'Accept-Language: zh-CN,zh;q=0.9' >/dev/null
check "Chinese heading for zh-CN" grep -q '<h1>客户</h1>' "$tmp/body"
check "Content-Language zh-CN" grep -qi '^Content-Language: zh-CN' "$tmp/head"
check "amounts in 万 with ¥" grep -q '¥[0-9.,]*万' "$tmp/body"
get exec "/crmx/accounts/$mine" -H 'Accept-Language: zh-CN' >/dev/null
check "dates in the Chinese form (2026年6月30日)" grep -q '2026年6月30日' "$tmp/body"
get exec "/crmx/accounts/$mine" >/dev/null
check "dates in the English form (2026-06-30)" grep -q '2026-06-30' "$tmp/body"
get exec "/crmx/accounts.json?sort=name&size=200&lang=zh-CN" >/dev/null
check "Chinese names in pinyin order for Chinese readers (北京 before 上海)" /usr/bin/python3 -c '
import json, sys
n = [a["name"] for a in json.load(open(sys.argv[1]))["accounts"]]
bj = [i for i, x in enumerate(n) if x.startswith("北京")]
sh = [i for i, x in enumerate(n) if x.startswith("上海")]
assert bj and sh and max(bj) < min(sh), (bj, sh)' "$tmp/body"
get exec "/crmx/accounts?lang=en" -H 'Accept-Language: zh-CN' >/dev/null
check "?lang=en overrides the header" grep -q '<h1>Accounts</h1>' "$tmp/body"
get exec "/crmx/accounts/$mine?embed=1" >/dev/null
check "embed=1 gives a fragment" grep -q 'crmx-embed' "$tmp/body"
check "... without the page around it" absent '<html' "$tmp/body"

# The pipeline: the viewer's deals only; figures as in the database.
check "pipeline (exec, JSON)" test "$(get exec /crmx/pipeline.json)" = 200
got=$(/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print("%.2f %d" % (sum(s["weighted"] for s in j["stages"]), sum(s["open"] for s in j["stages"])))' "$tmp/body")
want=$(q "SELECT to_char(coalesce(sum(amount * probability), 0), 'FM999999999990.00') || ' ' || count(*)
          FROM crmx_src.opportunities WHERE outcome = 'open' AND stage_rank BETWEEN 1 AND 5")
check "weighted pipeline and open deals match ($got = $want)" same "$got" "$want"
get "$rep" /crmx/pipeline.json >/dev/null
got=$(/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(sum(s["open"] for s in j["stages"]))' "$tmp/body")
want=$(q "SELECT count(*) FROM crmx_src.opportunities WHERE outcome = 'open' AND owner_id = $rep_id AND stage_rank BETWEEN 1 AND 5")
check "rep's pipeline holds the own open deals ($got = $want)" same "$got" "$want"
want=$(q "SELECT string_agg(n::text, ' ' ORDER BY k) FROM (
            SELECT k, count(*) FILTER (WHERE greatest(o.stage_rank, (SELECT max(h.stage_rank)
                   FROM crmx_src.stage_history h WHERE h.opportunity_id = o.opportunity_id)) >= k) AS n
              FROM generate_series(1, 5) k CROSS JOIN crmx.latest_run r
              LEFT JOIN crmx_src.opportunities o ON o.owner_id = $rep_id
               AND o.created_at >= r.window_start AND o.created_at < r.window_end
             GROUP BY k) x")
got=$(json '" ".join(str(s["reached"]) for s in j["stages"])')
check "rep's deals reaching each layer, from the run ($got = $want)" same "$got" "$want"
check "... as of the run" test "$(json 'j["reached_as_of"]')" = 2026-06-30
check "stalled deals are flagged" /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["deals"]; assert d and all(x["stalled"] == (x["days_in_stage"] is not None and x["days_in_stage"] > 14) for x in d)' "$tmp/body"
get exec /crmx/pipeline.json >/dev/null
got=$(json '" ".join(str(s["reached"]) for s in j["stages"])')
want=$(q "SELECT string_agg(reached::text, ' ' ORDER BY stage_rank) FROM crmx.latest_funnel_metrics")
check "executive's layers reached = the run's funnel ($got = $want)" same "$got" "$want"
get exec /crmx/pipeline -H 'Accept-Language: zh-CN' >/dev/null
check "pipeline in Chinese" grep -q '<h1>销售漏斗</h1>' "$tmp/body"

# A site that passes REMOTE_USER twice (as including Debian's
# fastcgi_params next to an auth_request identity does): crmx refuses
# rather than guess, so a client's header cannot choose the user.
cp "$tmp/crmx_fastcgi_params" "$tmp/params.orig"
echo 'fastcgi_param REMOTE_USER $http_x_spoof;' >>"$tmp/crmx_fastcgi_params"
# spoofed CODE: a request with an X-Spoof header answers CODE
spoofed() { test "$(get "$rep" /crmx/accounts.json -H 'X-Spoof: exec')" = "$1"; }
kill -HUP "$(cat "$tmp/nginx.pid")"
check "two different REMOTE_USERs: 500 once nginx reloaded, not the spoofed user" wait_for 20 spoofed 500
check "... and the log says why" grep -q "REMOTE_USER arrives twice" "$tmp/fcgi.log"
cp "$tmp/params.orig" "$tmp/crmx_fastcgi_params"
kill -HUP "$(cat "$tmp/nginx.pid")"
check "one REMOTE_USER again: 200 once nginx reloaded" wait_for 20 spoofed 200

# A statement that runs out of [database] statement_timeout_ms: 503 that
# says so, and the worker keeps its connection (the database is fine).
q "CREATE OR REPLACE VIEW crmx_src.users AS
   SELECT u.* FROM crmx_native.users u CROSS JOIN (SELECT pg_sleep(0.3)) s"
"$top/$O/fcgi/crmx.fcgi" --set "database.conninfo=$ci" --set "fcgi.listen=$tmp/fcgi.sock" --set "fcgi.socket_group=$("$top/deploy/nginx-group")" \
	--set fcgi.workers=1 --set database.statement_timeout_ms=100 2>"$tmp/fcgi3.log" &
fcgi3_pid=$!
kill "$fcgi_pid"; fcgi_pid=$fcgi3_pid
wait_for 20 grep -qs 'serving on' "$tmp/fcgi3.log"
check "statement timeout: 503" test "$(get exec /crmx/accounts)" = 503
check "... that says the view took too long" grep -q 'took the database too long' "$tmp/body"
pid1=$(q "SELECT pid FROM pg_stat_activity WHERE application_name = 'crmx.fcgi' AND datname = '$db'")
get exec /crmx/accounts.json >/dev/null
pid2=$(q "SELECT pid FROM pg_stat_activity WHERE application_name = 'crmx.fcgi' AND datname = '$db'")
check "... and the worker keeps its connection ($pid1 = $pid2)" same "$pid1" "$pid2"
q "CREATE OR REPLACE VIEW crmx_src.users AS SELECT user_id, login, name, team, role FROM crmx_native.users"
check "the view fast again: 200 on the same connection" test "$(get exec /crmx/accounts.json)" = 200

# A worker whose database is gone answers 503 and keeps serving.
"$top/$O/fcgi/crmx.fcgi" --set "database.conninfo=host=$tmp/nowhere dbname=x user=crmx" \
	--set "fcgi.listen=$tmp/fcgi.sock" --set "fcgi.socket_group=$("$top/deploy/nginx-group")" --set fcgi.workers=1 2>"$tmp/fcgi2.log" &
fcgi2_pid=$!
kill "$fcgi_pid"; fcgi_pid=$fcgi2_pid
wait_for 20 grep -qs 'serving on' "$tmp/fcgi2.log"
check "dead database: 503" test "$(get exec /crmx/accounts)" = 503
check "dead database: 503 again, the worker lives" test "$(get exec /crmx/accounts.json)" = 503

exit 0
