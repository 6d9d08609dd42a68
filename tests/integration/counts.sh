#!/bin/sh
# Counts on the pages are written with thousands separators, as amounts
# are: an executive at a million accounts read "742596" deals reached in
# a layer and "65843" accounts in a city.  Through nginx -> crmx.fcgi
# (cache off): a city given 1,234 new accounts and a lost reason given
# 1,050 lost deals show "1,234" and "1,050" on the executive's regions
# view and pipeline, in English and Chinese, and the same counts as plain
# numbers in JSON.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "counts through nginx" "nginx not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
trap panels_env_stop EXIT
PANELS_FCGI_SET="fcgi.cache_mb=0" panels_env_start t_counts || exit 0

owner=$(q "SELECT user_id FROM crmx_src.users WHERE role = 'rep' ORDER BY user_id LIMIT 1")
acct=$(q "SELECT min(account_id) FROM crmx_src.accounts WHERE owner_id = $owner")
check "the demo has a rep with an account" test -n "$owner" -a -n "$acct"
q "INSERT INTO crmx_native.accounts (account_id, name, owner_id, region, city)
   SELECT m + g, 'Counts Test ' || g, $owner, 'Countregion', 'Countcity'
   FROM (SELECT max(account_id) AS m FROM crmx_native.accounts) x, generate_series(1, 1234) g" >/dev/null
q "INSERT INTO crmx_native.opportunities (opportunity_id, account_id, owner_id, name, stage, amount,
   created_at, closed_at, lost_reason)
   SELECT m + g, $acct, $owner, 'counts-test', (SELECT stage FROM crmx_native.stages WHERE is_lost LIMIT 1),
   1, (SELECT as_of FROM crmx.latest_run) - 30, (SELECT as_of FROM crmx.latest_run) - 20, 'counts-test'
   FROM (SELECT max(opportunity_id) AS m FROM crmx_native.opportunities) x, generate_series(1, 1050) g" >/dev/null

for lang in en zh-CN; do
	check "$lang: the regions view answers" test "$(get exec "/crmx/regions?lang=$lang")" = 200
	check "$lang: the city's 1,234 accounts with a separator" \
		grep -q '<td>Countcity</td><td class="num">1,234</td>' "$tmp/body"
	check "$lang: no count of the regions of four digits or more without one" sh -c \
		"! grep -Eq '<td class=\"num\">[0-9]{4,}</td>' '$tmp/body'"
	check "$lang: the pipeline answers" test "$(get exec "/crmx/pipeline?lang=$lang")" = 200
	check "$lang: the lost reason's 1,050 deals with a separator" \
		grep -q '<td>counts-test</td><td class="num">1,050</td>' "$tmp/body"
	check "$lang: no count of the pipeline of four digits or more without one" sh -c \
		"! grep -Eq '<td class=\"num\">[0-9]{4,}</td>' '$tmp/body'"
done
get exec /crmx/regions.json >/dev/null
check "JSON: the count as a number" test \
	"$(json "[c['accounts'] for c in j['cities'] if c['city'] == 'Countcity'][0]")" = 1234
exit 0
