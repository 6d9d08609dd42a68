#!/bin/sh
# Navigation of the panels (issue 14) through nginx -> crmx.fcgi: the
# search box finds accounts by a part of the name in Latin and Chinese
# script, in any case, and only within the viewer's scope; "N of M" on
# the accounts list and the pipeline equals a count in SQL, and the
# pipeline's pages together hold every open deal exactly once, in every
# sort; links keep search, filters and sort; an account shows its closed
# deals (won and lost, with the lost reason), each linking to its deal.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "navigation through nginx" "nginx not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
trap panels_env_stop EXIT
panels_env_start t_nav || exit 0

rep=$(q "SELECT u.login FROM crmx_src.users u WHERE u.role = 'rep' AND EXISTS
         (SELECT 1 FROM crmx_src.accounts a WHERE a.owner_id = u.user_id AND a.name LIKE '%华腾%')
         ORDER BY u.user_id LIMIT 1")
rep_id=$(q "SELECT user_id FROM crmx_src.users WHERE login = '$rep'")

# search_ids USER TERM: the ids of the accounts the list finds (JSON, one
# page of 200; one- and two-character terms too, which no trigram finds)
search_ids() {
	enc=$(/usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$2")
	get "$1" "/crmx/accounts.json?size=200&sort=name&q=$enc" >/dev/null
	json '"\n".join(str(a["account_id"]) for a in j["accounts"])' | sort -n
}
# sql_ids WHERE: the ids SQL finds (in the given scope)
sql_ids() { q "SELECT account_id FROM crmx_src.accounts a WHERE $1 ORDER BY account_id"; }

# a part of LEN characters at position POS of the names ~ RE that 1 to
# 200 accounts hold (one page of search_ids)
part() {
	q "SELECT t FROM (SELECT DISTINCT substr(name, $3, $2) AS t FROM crmx_src.accounts
	   WHERE name ~ '$1') x WHERE length(t) = $2 AND (SELECT count(*) FROM crmx_src.accounts a
	   WHERE strpos(lower(a.name), lower(t)) > 0 OR strpos(lower(a.city), lower(t)) > 0)
	   BETWEEN 1 AND 200 ORDER BY t LIMIT 1"
}
for term in 华腾 north NORTH Nort 上海 "n I" "$(part '^[^ -~]' 1 5)" "$(part '^[^ -~]' 2 4)" \
	    "$(part '^[A-Z]' 1 2 | tr a-z A-Z)"; do
	got=$(search_ids exec "$term")
	want=$(sql_ids "a.name ILIKE '%$term%' OR a.city ILIKE '%$term%'")
	n=$(printf '%s\n' "$want" | grep -c .)
	check "search \"$term\" (exec): the accounts whose name or city holds it, any case ($n)" \
		same "$got" "$want"
done
check "the demo has accounts named with 华腾 and North" \
	test "$(q "SELECT count(*) FILTER (WHERE name LIKE '%华腾%') > 0 AND count(*) FILTER (WHERE name LIKE '%North%') > 0 FROM crmx_src.accounts")" = t
got=$(search_ids "$rep" 华腾)
want=$(sql_ids "a.owner_id = $rep_id AND (a.name ILIKE '%华腾%' OR a.city ILIKE '%华腾%')")
check "search 华腾 as a rep: only the own accounts that match" same "$got" "$want"
other=$(q "SELECT count(*) FROM crmx_src.accounts WHERE owner_id <> $rep_id AND name LIKE '%华腾%'")
check "another rep's 华腾 accounts exist ($other) and the rep does not find them" \
	test "$other" -gt 0
get "$rep" "/crmx/accounts?q=%E6%B5%B7%E5%B7%9D" >/dev/null
for id in $(q "SELECT account_id FROM crmx_src.accounts WHERE owner_id <> $rep_id AND name LIKE '%华腾%' LIMIT 20"); do
	grep -q "/crmx/accounts/$id\"" "$tmp/body" && { fail "a rep's search lists account $id of another rep"; break; }
done
check "a wildcard in the search is a character, not a pattern" \
	test "$(get exec "/crmx/accounts.json?q=%25" && json 'j["total"]')" = "200$(q "SELECT count(*) FROM crmx_src.accounts WHERE strpos(name, '%') > 0 OR strpos(city, '%') > 0")"
long=$(printf 'x%.0s' $(seq 101))
check "a search of 101 bytes is a 400" test "$(get exec "/crmx/accounts?q=$long")" = 400

# The list's count and its links.
get exec "/crmx/accounts?q=north&class=A&sort=ltv" >/dev/null
n=$(q "SELECT count(*) FROM crmx_src.accounts a JOIN crmx.latest_account_metrics m USING (account_id)
       WHERE (a.name ILIKE '%north%' OR a.city ILIKE '%north%') AND m.abc_class = 'A'")
check "accounts: \"of N\" is the SQL count ($n)" grep -q "of <span class=\"total\">$n</span>" "$tmp/body"
check "accounts: the search box holds the term" grep -q 'name="q"[^>]*value="north"' "$tmp/body"
check "accounts: the class filter is selected" grep -q '<option value="A" selected>' "$tmp/body"
check "accounts: a sort head keeps the search and the filter" \
	grep -q 'href="/crmx/accounts?q=north&amp;class=A&amp;sort=name"' "$tmp/body"

# The pipeline: every open deal, paged, counted.
for who in exec "$rep"; do
	scope="true"
	[ "$who" = exec ] || scope="o.owner_id = $rep_id"
	n=$(q "SELECT count(*) FROM crmx_src.opportunities o WHERE o.outcome = 'open' AND $scope")
	for sort in priority amount days account name; do
		: >"$tmp/ids"
		page=1
		while [ "$page" -le 50 ]; do
			get "$who" "/crmx/pipeline.json?size=37&sort=$sort&page=$page" >/dev/null
			json '"\n".join(str(d["opportunity_id"]) for d in j["deals"])' | grep . >>"$tmp/ids"
			total=$(json 'j["total"]')
			[ "$(json 'j["more"]')" = True ] || break
			page=$((page + 1))
		done
		check "pipeline ($who, by $sort): total $total = SQL's $n" same "$total" "$n"
		check "pipeline ($who, by $sort): the pages hold every open deal once" \
			same "$(sort -n "$tmp/ids" | uniq | wc -l) $(wc -l <"$tmp/ids")" "$n $n"
	done
done
nall=$(q "SELECT count(*) FROM crmx_src.opportunities WHERE outcome = 'open'")
check "the demo has more than 40 open deals ($nall)" test "$nall" -gt 40
get exec "/crmx/pipeline?size=20" >/dev/null
check "pipeline page: \"1–20 of $nall\"" grep -q "1–20 of <span class=\"total\">$nall</span>" "$tmp/body"
check "pipeline page: a next page link keeping the size" \
	grep -q '<a class="page" href="/crmx/pipeline?page=2&amp;sort=priority&amp;size=20">' "$tmp/body"
get exec "/crmx/pipeline?size=20&page=3" >/dev/null
check "pipeline page 3 starts at 41" grep -q "41–$((nall < 60 ? nall : 60)) of" "$tmp/body"
get exec "/crmx/pipeline?q=%E5%8D%8E%E8%85%BE&sort=amount" >/dev/null
nq=$(q "SELECT count(*) FROM crmx_src.opportunities o JOIN crmx_src.accounts a USING (account_id)
        WHERE o.outcome = 'open' AND (a.name LIKE '%华腾%' OR a.city LIKE '%华腾%')")
check "pipeline search 华腾: \"of $nq\"" grep -q "of <span class=\"total\">$nq</span>" "$tmp/body"
check "a page past the last still counts" \
	test "$(get exec "/crmx/pipeline.json?page=999" && json '(j["total"], len(j["deals"]))')" = "200($nall, 0)"
check "unknown pipeline sort: 400" test "$(get exec "/crmx/pipeline?sort=prio")" = 400

# Closed deals on the account panel.
acct=$(q "SELECT account_id FROM crmx_src.opportunities GROUP BY account_id
          HAVING count(*) FILTER (WHERE outcome = 'won') > 0 AND count(*) FILTER (WHERE outcome = 'lost') > 0
          ORDER BY account_id LIMIT 1")
get exec "/crmx/accounts/$acct.json" >/dev/null
got=$(json '" ".join("%s:%s:%s" % (d["opportunity_id"], d["outcome"], d["lost_reason"] or "") for d in sorted(j["closed_deals"], key=lambda d: d["opportunity_id"]))')
want=$(q "SELECT string_agg(opportunity_id || ':' || outcome || ':' || coalesce(lost_reason, ''), ' ' ORDER BY opportunity_id)
          FROM crmx_src.opportunities WHERE account_id = $acct AND outcome IN ('won', 'lost')")
check "account $acct: its closed deals with outcome and lost reason" same "$got" "$want"
get exec "/crmx/accounts/$acct" >/dev/null
for id in $(q "SELECT opportunity_id FROM crmx_src.opportunities WHERE account_id = $acct AND outcome IN ('won', 'lost')"); do
	check "account $acct links to closed deal $id" grep -q "href=\"/crmx/deals/$id\"" "$tmp/body"
done
reason=$(q "SELECT lost_reason FROM crmx_src.opportunities WHERE account_id = $acct AND outcome = 'lost' AND lost_reason IS NOT NULL LIMIT 1")
# by its label (common/label.c), in English here
label=$(grep -o "\"$reason\", N_(\"[^\"]*\")" "$top/common/label.c" | sed 's/.*N_("\(.*\)")/\1/')
check "the lost reason is shown by its label ($reason: $label)" grep -q ">$label</td>" "$tmp/body"

# The report links its accounts and deals to their panels ([reportd] panels_url).
week=$("$top/$O/reportd/crmx-reportd" --set "database.conninfo=$ci" --set reportd.report_dir="$tmp/reports" \
	--set reportd.panels_url=/crmx --set reportd.language=en,zh-CN \
	--run-once --report --as-of 2026-06-30 2>"$tmp/report.log") || cat "$tmp/report.log" >&2
idx=$week/index.html
top_acct=$(q "SELECT m.account_id FROM crmx.latest_account_metrics m ORDER BY m.revenue_window DESC, m.account_id LIMIT 1")
check "report: the top account links to its panel" grep -q "<a href=\"/crmx/accounts/$top_acct\">" "$idx"
check "report: deals link to their panels" grep -q '<a href="/crmx/deals/[0-9]*">' "$idx"
check "report in Chinese: the panels in Chinese" \
	grep -q "<a href=\"/crmx/accounts/$top_acct?lang=zh-CN\">" "$week/index.zh-CN.html"
get exec /crmx/accounts >/dev/null
check "an executive's page links to the latest report" grep -q 'href="/reports/latest/"' "$tmp/body"
get "$rep" /crmx/accounts >/dev/null
check "a rep's page does not" absent 'href="/reports/' "$tmp/body"
exit 0
