#!/bin/sh
# The account panel's contact form and the live grade, through a real
# nginx -> crmx.fcgi -> PostgreSQL: recording that the key person was
# reached (date, by whom) clears the "not reached" flag on the next
# request and is kept with its history in crmx's own tables; a purchase
# role set there shows; CSRF, validation and scope as for every form (a rep
# gets 404 for another rep's account and nothing is stored); the grade
# shown follows the qualification as saved, not the last metric run.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "contact form through nginx" "nginx not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
trap panels_env_stop EXIT
panels_env_start t_keyperson || exit 0

token() { sed -n 's/.*name="csrf" value="\([0-9a-f.]*\)".*/\1/p' "$tmp/body" | head -n 1; }
post() {
	u=$1 p=$2 b=$3; shift 3
	curl -s -o "$tmp/body" -D "$tmp/head" -w '%{http_code}' -u "$u:demo" \
	     -H 'Content-Type: application/x-www-form-urlencoded' --data-raw "$b" "$@" "$base$p"
}
stored() { q "SELECT count(*) FROM crmx.contact_role_history WHERE contact_id = $1"; }

# an account of a rep with exactly one decision maker and other contacts,
# not graded A by the run (so that the live grade's check proves
# something), and another rep's; crmx's records of their contacts (the
# demo records reached key persons) are cleared, so that each starts with
# its key person not reached
mine=$(q "SELECT k.account_id FROM crmx_src.contacts k JOIN crmx_src.accounts a USING (account_id)
          JOIN crmx_src.users u ON u.user_id = a.owner_id
          WHERE u.role = 'rep' AND coalesce((SELECT m.qual_grade FROM crmx.latest_account_metrics m
                WHERE m.account_id = k.account_id), '-') <> 'A'
          GROUP BY 1 HAVING count(*) FILTER (WHERE k.purchase_role = 'decision_maker') = 1
             AND count(*) > 1 ORDER BY 1 LIMIT 1")
rep_id=$(q "SELECT owner_id FROM crmx_src.accounts WHERE account_id = ${mine:-0}")
rep=$(q "SELECT login FROM crmx_src.users WHERE user_id = ${rep_id:-0}")
dm=$(q "SELECT contact_id FROM crmx_src.contacts WHERE account_id = $mine AND purchase_role = 'decision_maker'")
plain=$(q "SELECT contact_id FROM crmx_src.contacts WHERE account_id = $mine
           AND purchase_role IS DISTINCT FROM 'decision_maker' ORDER BY contact_id LIMIT 1")
other=$(q "SELECT k.account_id FROM crmx_src.contacts k JOIN crmx_src.accounts a USING (account_id)
           WHERE a.owner_id <> ${rep_id:-0} AND k.purchase_role = 'decision_maker'
           ORDER BY 1 LIMIT 1")
odm=$(q "SELECT contact_id FROM crmx_src.contacts WHERE account_id = $other AND purchase_role = 'decision_maker' LIMIT 1")
q "DELETE FROM crmx.contact_role WHERE contact_id IN (SELECT contact_id FROM crmx_src.contacts
   WHERE account_id IN (${mine:-0}, ${other:-0}))" >/dev/null
q "DELETE FROM crmx.contact_role_history WHERE contact_id IN (SELECT contact_id FROM crmx_src.contacts
   WHERE account_id IN (${mine:-0}, ${other:-0}))" >/dev/null
check "test data: an own account with one key person, another rep's with one" \
	test -n "$mine" -a -n "$dm" -a -n "$plain" -a -n "$other" -a -n "$odm"

# --- key person reached --------------------------------------------------
check "account panel: 200" test "$(get "$rep" "/crmx/accounts/$mine")" = 200
check "the key person is flagged not reached" grep -q 'class="flag">not reached yet' "$tmp/body"
check "the panel has the contact form" grep -q 'name="contact"' "$tmp/body"
check "the form lists the key person" grep -q "<option value=\"$dm\"" "$tmp/body"
tok=$(token)
check "no token: 403" test "$(post "$rep" "/crmx/accounts/$mine" "contact=$dm&reached=yes")" = 403
st=$(post "$rep" "/crmx/accounts/$mine" "contact=$dm&reached=yes&reached_on=2026-13-40&csrf=$tok")
check "a bad date: 400" test "$st" = 400
check "a bad date: says so" grep -q 'Please give a date as YYYY-MM-DD.' "$tmp/body"
check "a bad contact id: 400" test "$(post "$rep" "/crmx/accounts/$mine" "contact=x1&reached=yes&csrf=$tok")" = 400
check "invalid forms stored nothing" same "$(stored "$dm")" 0

st=$(post "$rep" "/crmx/accounts/$mine" "contact=$dm&role=decision_maker&reached=yes&reached_on=2026-06-20&reached_by=Li+Lei+%E6%9D%8E%E9%9B%B7&csrf=$tok")
check "reached: 303 back to the contacts" test "$st" = 303
check "redirect names the contact form" grep -qi "^Location: /crmx/accounts/$mine?saved=contact#contacts" "$tmp/head"
check "stored with date, by whom and who saved it" same \
	"$(q "SELECT reached, reached_on, reached_by, updated_by FROM crmx.contact_role WHERE contact_id = $dm")" \
	"t|2026-06-20|Li Lei 李雷|$rep"
check "one history row" same "$(stored "$dm")" 1
check "next request: 200" test "$(get "$rep" "/crmx/accounts/$mine")" = 200
check "next request: the flag is gone" absent 'not reached yet' "$tmp/body"
check "next request: reached, when and by whom" grep -q 'class="ok">reached 2026-06-20 · Li Lei 李雷' "$tmp/body"
check "the history lists it" grep -q '2026-06-20 · Li Lei 李雷</td>' "$tmp/body"
get "$rep" "/crmx/accounts/$mine" -H 'Accept: application/json' >/dev/null
check "JSON: reached, on, by" same "$(json "[(x['reached'], x['reached_on'], x['reached_by']) for x in j['contacts'] if x['contact_id'] == $dm]")" \
	"[(True, '2026-06-20', 'Li Lei 李雷')]"

# reached without a date or a name: today, by the one who saves
st=$(post "$rep" "/crmx/accounts/$mine" "contact=$dm&role=decision_maker&reached=yes&csrf=$tok")
check "defaults: today, by the login" same \
	"$(q "SELECT reached_on = current_date, reached_by FROM crmx.contact_role WHERE contact_id = $dm")" "t|$rep"
check "two history rows" same "$(stored "$dm")" 2

# --- a purchase role set in crmx wins over the adapter's -----------------
st=$(post "$rep" "/crmx/accounts/$mine" "contact=$plain&role=influencer&csrf=$tok")
check "role: 303" test "$st" = 303
check "role: the contact view shows it" same \
	"$(q "SELECT purchase_role FROM crmx_src.contacts WHERE contact_id = $plain")" influencer
get "$rep" "/crmx/accounts/$mine" >/dev/null
check "role: the panel shows it" grep -q 'class="role">influencer' "$tmp/body"
post "$rep" "/crmx/accounts/$mine" "contact=$plain&reached=no&csrf=$tok" >/dev/null
check "no role chosen: the role set before stays" same \
	"$(q "SELECT purchase_role FROM crmx.contact_role WHERE contact_id = $plain")" influencer

# --- scope: another rep's account, or a contact of another account -------
h0=$(q "SELECT count(*) FROM crmx.contact_role_history")
st=$(post "$rep" "/crmx/accounts/$other" "contact=$odm&role=decision_maker&reached=yes&csrf=$tok")
check "another rep's account: 404" test "$st" = 404
st=$(post "$rep" "/crmx/accounts/$mine" "contact=$odm&role=decision_maker&reached=yes&csrf=$tok")
check "another account's contact through an own account: 404" test "$st" = 404
check "nothing stored for them" same "$(q "SELECT count(*) FROM crmx.contact_role WHERE contact_id = $odm")" 0
check "no history row added" same "$(q "SELECT count(*) FROM crmx.contact_role_history")" "$h0"
get exec "/crmx/accounts/$other" >/dev/null
check "the other account still flags its key person" grep -q 'not reached yet' "$tmp/body"

# --- live grade ------------------------------------------------------------
grade() {
	get "$rep" "/crmx/accounts/$mine" -H 'Accept: application/json' >/dev/null
	json "j['metrics']['qualification_grade'] if j['metrics'] else None"
}
run_grade=$(q "SELECT coalesce(qual_grade, '-') FROM crmx.latest_account_metrics WHERE account_id = $mine")
get "$rep" "/crmx/accounts/$mine" >/dev/null
tok=$(token)
post "$rep" "/crmx/accounts/$mine" "has_need=yes&can_pay=yes&has_authority=yes&csrf=$tok" >/dev/null
check "the run's grade is not yet A (so the next check proves something)" test "$run_grade" != A
check "saved all three: grade A at once" same "$(grade)" A
post "$rep" "/crmx/accounts/$mine" "has_need=yes&can_pay=yes&has_authority=no&csrf=$tok" >/dev/null
check "two of three: grade B at once" same "$(grade)" B
post "$rep" "/crmx/accounts/$mine" "has_need=no&csrf=$tok" >/dev/null
check "one of three: grade C at once" same "$(grade)" C
get "$rep" "/crmx/accounts/$mine" >/dev/null
check "HTML shows the live grade" grep -q '<th>Qualification grade</th><td>C</td>' "$tmp/body"
