#!/bin/sh
# The deal panel, the qualification and deal-review forms, the region and
# city view and list paging, through a real nginx -> crmx.fcgi ->
# PostgreSQL: CSRF, validation that keeps what was typed, who-and-when,
# visibility for writes as for reads, and figures against SQL.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "panel forms through nginx" "nginx not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
trap panels_env_stop EXIT
panels_env_start t_forms || exit 0

rep=$(q "SELECT login FROM crmx_src.users WHERE role = 'rep' ORDER BY user_id LIMIT 1")
rep_id=$(q "SELECT user_id FROM crmx_src.users WHERE login = '$rep'")
mine=$(q "SELECT account_id FROM crmx_src.accounts WHERE owner_id = $rep_id ORDER BY account_id LIMIT 1")
other=$(q "SELECT account_id FROM crmx_src.accounts WHERE owner_id <> $rep_id ORDER BY account_id LIMIT 1")
deal=$(q "SELECT opportunity_id FROM crmx_src.opportunities WHERE owner_id = $rep_id
          AND opportunity_id IN (SELECT opportunity_id FROM crmx_src.stage_history)
          ORDER BY opportunity_id LIMIT 1")
odeal=$(q "SELECT opportunity_id FROM crmx_src.opportunities WHERE owner_id <> $rep_id ORDER BY opportunity_id LIMIT 1")
hist() { q "SELECT count(*) FROM crmx.qualification_history WHERE account_id = $1"; }
reviews() { q "SELECT count(*) FROM crmx.deal_review WHERE opportunity_id = $1"; }
# token: the CSRF token of the form on the last HTML page
token() { sed -n 's/.*name="csrf" value="\([0-9a-f.]*\)".*/\1/p' "$tmp/body" | head -n 1; }
# post USER PATH BODY [curl args]
post() {
	u=$1 p=$2 b=$3; shift 3
	curl -s -o "$tmp/body" -D "$tmp/head" -w '%{http_code}' -u "$u:demo" \
	     -H 'Content-Type: application/x-www-form-urlencoded' --data-raw "$b" "$@" "$base$p"
}

# --- qualification form ---------------------------------------------------
h0=$(hist "$mine")
check "account panel shows the qualification form" test "$(get "$rep" "/crmx/accounts/$mine")" = 200
tok=$(token)
check "the form carries a CSRF token" test -n "$tok"
check "no token: 403" test "$(post "$rep" "/crmx/accounts/$mine" 'has_need=yes&can_pay=yes')" = 403
check "the 403 says why" grep -q 'did not come from crmx' "$tmp/body"
case $tok in *0) bad=${tok%?}1 ;; *) bad=${tok%?}0 ;; esac	# last digit changed
check "a tampered token: 403" test "$(post "$rep" "/crmx/accounts/$mine" "has_need=yes&csrf=$bad")" = 403
get exec "/crmx/accounts/$mine" >/dev/null
etok=$(token)
check "another user's token: 403" test "$(post "$rep" "/crmx/accounts/$mine" "has_need=yes&csrf=$etok")" = 403
check "forged forms stored nothing" same "$(hist "$mine")" "$h0"

st=$(post "$rep" "/crmx/accounts/$mine" "has_need=maybe&can_pay=yes&burning_issue=Plant+%3Cb%3Eline%3C%2Fb%3E+stops+%E5%81%9C%E4%BA%A7&csrf=$tok")
check "invalid choice: 400" test "$st" = 400
check "the field's message is shown" grep -q 'Please choose yes, no or not known.' "$tmp/body"
check "what was typed comes back (escaped)" grep -q 'Plant &lt;b&gt;line&lt;/b&gt; stops 停产</textarea>' "$tmp/body"
check "the other answers come back" grep -q 'name="can_pay" value="yes" checked' "$tmp/body"
check "an invalid form stored nothing" same "$(hist "$mine")" "$h0"
long=$(/usr/bin/python3 -c 'print("x" * 501)')
check "too long: 400" test "$(post "$rep" "/crmx/accounts/$mine" "burning_issue=$long&csrf=$tok")" = 400
check "too long: says so" grep -q 'This is too long.' "$tmp/body"

st=$(post "$rep" "/crmx/accounts/$mine" "has_need=yes&can_pay=yes&has_authority=no&burning_issue=Line+stops+%E5%81%9C%E4%BA%A7&csrf=$tok")
check "valid form: 303 back to the panel" test "$st" = 303
check "redirect to the account's qualification" grep -qi "^Location: /crmx/accounts/$mine?saved=1#qualification" "$tmp/head"
check "stored with who" test "$(q "SELECT has_need, can_pay, has_authority, burning_issue, updated_by
                                 FROM crmx.qualification WHERE account_id = $mine")" = "t|t|f|Line stops 停产|$rep"
check "and a history row" same "$(hist "$mine")" "$((h0 + 1))"
get "$rep" "/crmx/accounts/$mine.json" >/dev/null
check "JSON shows the new record" test "$(json 'j["qualification"]["has_authority"], j["qualification"]["updated_by"], len(j["qualification_history"])')" = "False $rep $((h0 + 1))"
check "JSON carries a token for API clients" test -n "$(json 'j["csrf_token"]')"
jtok=$(json 'j["csrf_token"]')
st=$(post "$rep" "/crmx/accounts/$mine.json" "has_need=yes&can_pay=yes&has_authority=yes&csrf=$jtok")
check "JSON post: 200" test "$st" = 200
check "JSON post: precise now" test "$(q "SELECT has_need AND can_pay AND has_authority FROM crmx.qualification WHERE account_id = $mine")" = t
check "JSON validation error names the field" test "$(post "$rep" "/crmx/accounts/$mine.json" "can_pay=perhaps&csrf=$jtok")" = 400
check "... as JSON" test "$(json 'list(j["fields"])')" = "['can_pay']"
h1=$(hist "$other")
check "rep writes another rep's account: 404" test "$(post "$rep" "/crmx/accounts/$other" "has_need=yes&csrf=$tok")" = 404
check "... and nothing is stored" same "$(hist "$other")" "$h1"
check "wrong content type: 415" test "$(curl -s -o /dev/null -w '%{http_code}' -u "$rep:demo" -H 'Content-Type: text/plain' --data-raw "has_need=yes&csrf=$tok" "$base/crmx/accounts/$mine")" = 415
big=$(/usr/bin/python3 -c 'print("burning_issue=" + "y" * 5000)')
check "body over body_max: 413" test "$(post "$rep" "/crmx/accounts/$mine" "$big")" = 413
check "POST to the list: 405" test "$(post "$rep" /crmx/accounts "x=1")" = 405
check "Chinese form labels" sh -c "curl -s -u '$rep:demo' -H 'Accept-Language: zh-CN' '$base/crmx/accounts/$mine' | grep -q '燃眉之急'"

# --- the deal panel and its review -------------------------------------------
check "deal panel (rep's own deal)" test "$(get "$rep" "/crmx/deals/$deal.json")" = 200
check "stage history as in the database" same "$(json 'len(j["stage_history"])')" "$(q "SELECT count(*) FROM crmx_src.stage_history WHERE opportunity_id = $deal")"
check "amount as in the database" same "$(json '"%.2f" % j["amount"]')" "$(q "SELECT amount FROM crmx_src.opportunities WHERE opportunity_id = $deal")"
check "another rep's deal: 404 (HTML)" test "$(get "$rep" "/crmx/deals/$odeal")" = 404
check "another rep's deal: 404 (JSON)" test "$(get "$rep" "/crmx/deals/$odeal.json")" = 404
check "malformed deal id: 400" test "$(get "$rep" "/crmx/deals/12x")" = 400
get "$rep" "/crmx/deals/$deal" >/dev/null
dtok=$(token)
check "the four review questions are asked" sh -c "grep -q 'Step just completed' '$tmp/body' && grep -q 'Evidence that it is done' '$tmp/body' && grep -q 'Action under way now' '$tmp/body' && grep -q 'Plan for the next step' '$tmp/body'"
r0=$(reviews "$deal")
check "review without token: 403" test "$(post "$rep" "/crmx/deals/$deal" 'step=judged&evidence=e&action=a&plan=p')" = 403
check "review missing evidence: 400" test "$(post "$rep" "/crmx/deals/$deal" "step=judged&evidence=+&action=Demo+for+the+CFO&plan=Sign+in+July&csrf=$dtok")" = 400
check "... asks for it" grep -q 'Please fill this in.' "$tmp/body"
check "... keeps the rest" sh -c "grep -q 'Demo for the CFO</textarea>' '$tmp/body' && grep -q 'name=\"step\" value=\"judged\" checked' '$tmp/body'"
check "unknown step: 400" test "$(post "$rep" "/crmx/deals/$deal" "step=magic&evidence=e&action=a&plan=p&csrf=$dtok")" = 400
check "invalid reviews stored nothing" same "$(reviews "$deal")" "$r0"
st=$(post "$rep" "/crmx/deals/$deal" "step=judged&evidence=Budget+mail+from+CFO&action=Demo+for+the+CFO&plan=Sign+in+July&csrf=$dtok")
check "valid review: 303" test "$st" = 303
check "review stored with who" test "$(q "SELECT step_completed, evidence, created_by FROM crmx.deal_review
                                     WHERE opportunity_id = $deal ORDER BY id DESC LIMIT 1")" = "judged|Budget mail from CFO|$rep"
check "the panel shows the review" sh -c "curl -s -u '$rep:demo' '$base/crmx/deals/$deal' | grep -q 'Budget mail from CFO'"
oreviews=$(reviews "$odeal")
check "rep reviews another rep's deal: 404" test "$(post "$rep" "/crmx/deals/$odeal" "step=judged&evidence=e&action=a&plan=p&csrf=$dtok")" = 404
check "... stored nothing" same "$(reviews "$odeal")" "$oreviews"
check "embedded deal panel" sh -c "curl -s -u '$rep:demo' '$base/crmx/deals/$deal?embed=1' | grep -q 'action=\"/crmx/deals/$deal?embed=1\"'"

# --- region and city view -----------------------------------------------------
check "regions (exec, JSON)" test "$(get exec /crmx/regions.json)" = 200
check "cities add up to all accounts" same "$(json 'sum(c["accounts"] for c in j["cities"])')" "$(q "SELECT count(*) FROM crmx_src.accounts")"
want=$(q "SELECT count(*) FROM crmx.qualification WHERE has_need AND can_pay AND has_authority")
check "precise customers counted ($want)" same "$(json 'sum(c["precise"] for c in j["cities"])')" "$want"
want=$(q "SELECT to_char(sum(revenue_window), 'FM999999999990.00') FROM crmx.latest_account_metrics")
check "revenue adds up ($want)" same "$(json '"%.2f" % sum(c["revenue_window"] for c in j["cities"])')" "$want"
check "visit-first accounts are precise ones" /usr/bin/python3 -c '
import json, subprocess, sys
j = json.load(open(sys.argv[1]))
ids = [p[0] for c in j["cities"] for p in c["top_precise"]]
assert ids and all(len(c["top_precise"]) <= min(5, c["precise"]) for c in j["cities"])
ok = set(map(int, sys.argv[2].split()))
assert set(ids) <= ok' "$tmp/body" "$(q "SELECT account_id FROM crmx.qualification WHERE has_need AND can_pay AND has_authority")"
get "$rep" /crmx/regions.json >/dev/null
check "rep's regions hold the own accounts only" same "$(json 'sum(c["accounts"] for c in j["cities"])')" "$(q "SELECT count(*) FROM crmx_src.accounts WHERE owner_id = $rep_id")"
check "regions page in Chinese" sh -c "curl -s -u 'exec:demo' -H 'Accept-Language: zh-CN' '$base/crmx/regions' | grep -q '优先拜访'"

# --- paging keeps the filters ---------------------------------------------------
city=$(q "SELECT city FROM crmx_src.accounts GROUP BY city HAVING count(*) > 2 ORDER BY count(*) DESC, city LIMIT 1")
enc=$(/usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$city")
get exec "/crmx/accounts?city=$enc&size=1&sort=name" >/dev/null
next=$(sed -n 's/.*<a class="page" href="\([^"]*\)">Next page.*/\1/p' "$tmp/body" | sed 's/&amp;/\&/g')
check "next page keeps the city filter" sh -c "echo '$next' | grep -q 'city=$enc' && echo '$next' | grep -q 'sort=name' && echo '$next' | grep -q 'page=2'"
get exec "$next" >/dev/null
check "page 2 is still that city" grep -q "<a class=\"page\" href=\"[^\"]*page=1[^\"]*city=$enc" "$tmp/body"
exit 0
