#!/bin/sh
# Labels and one definition per figure, through a real nginx -> crmx.fcgi
# -> PostgreSQL and the weekly report: every view rendered in Chinese
# shows no raw CRM code (stage, lifecycle, source, lost reason: the keys
# come from the data), amounts of 10,000 and up in 万/亿; stage-to-stage
# conversion is the same number in the panel and the report; the figures
# the engine computes (win rate by source, lost reasons, median days per
# stage, Gini, revenue per activity hour) are on a page.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "labels through nginx" "nginx not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
trap panels_env_stop EXIT
panels_env_start t_labels || exit 0

"$top/$O/reportd/crmx-reportd" --set "database.conninfo=$ci" --set reportd.language=en,zh-CN \
	--set reportd.report_dir="$tmp/reports" --run-once --report --as-of 2026-06-30 \
	>/dev/null 2>"$tmp/report.log" || { fail "the weekly report"; cat "$tmp/report.log"; exit 0; }
R=$(ls -d "$tmp"/reports/2026-W* | head -n 1)
check "the report was written" test -s "$R/index.zh-CN.html"

# visible TEXT (tags, styles and scripts left out) of an HTML file
text() {
	/usr/bin/python3 - "$1" <<'PY'
import html, re, sys
s = open(sys.argv[1], encoding="utf-8").read()
s = re.sub(r"(?is)<(style|script)\b.*?</\1>", " ", s)
s = re.sub(r"(?s)<[^>]*>", "\n", s)
print(html.unescape(s))
PY
}

# no_codes FILE: none of the keys in $tmp/keys appears as a word in FILE
# (fails on an empty FILE or key list, and names what it found).
no_codes() {
	/usr/bin/python3 - "$tmp/keys" "$1" <<'PY'
import re, sys
keys = [k for k in open(sys.argv[1], encoding="utf-8").read().split("\n") if k]
text = open(sys.argv[2], encoding="utf-8").read()
if not keys or not text.strip():
    sys.exit("no_codes: nothing to check")
hits = [k for k in keys if re.search(r"(?<![\w-])" + re.escape(k) + r"(?![\w-])", text)]
if hits:
    sys.exit("raw codes: " + ", ".join(hits))
PY
}

# The raw keys to look for, from the data itself.
q "SELECT DISTINCT stage FROM crmx_src.opportunities
   UNION SELECT DISTINCT source FROM crmx_src.opportunities WHERE source IS NOT NULL
   UNION SELECT DISTINCT lost_reason FROM crmx_src.opportunities WHERE lost_reason IS NOT NULL
   UNION SELECT DISTINCT segment FROM crmx.latest_account_metrics WHERE segment IS NOT NULL" \
	>"$tmp/keys"
check "keys to look for: stages, sources, lost reasons, lifecycles" \
	test "$(wc -l <"$tmp/keys")" -ge 15

acct=$(q "SELECT a.account_id FROM crmx_src.accounts a JOIN crmx.latest_account_metrics m USING (account_id)
          WHERE m.revenue_window >= 10000 AND m.open_deals > 0 ORDER BY m.revenue_window DESC LIMIT 1")
open_deal=$(q "SELECT opportunity_id FROM crmx_src.opportunities WHERE outcome = 'open' AND amount >= 10000
               ORDER BY opportunity_id LIMIT 1")
lost_deal=$(q "SELECT opportunity_id FROM crmx_src.opportunities WHERE outcome = 'lost'
               AND lost_reason IS NOT NULL AND source IS NOT NULL ORDER BY opportunity_id LIMIT 1")
n=0
for p in /crmx/accounts "/crmx/accounts/$acct" /crmx/pipeline /crmx/regions \
	 "/crmx/deals/$open_deal" "/crmx/deals/$lost_deal"; do
	n=$((n + 1))
	st=$(get exec "$p?lang=zh-CN")
	check "zh-CN $p: 200" test "$st" = 200
	text "$tmp/body" >"$tmp/page$n.txt"
	check "zh-CN $p: a Chinese page with content" /usr/bin/python3 -c \
		'import sys; t = open(sys.argv[1], encoding="utf-8").read(); sys.exit(sum("\u4e00" <= ch <= "\u9fff" for ch in t) < 20)' \
		"$tmp/page$n.txt"
	check "zh-CN $p: no raw CRM code" no_codes "$tmp/page$n.txt"
	check "zh-CN $p: amounts of 10,000 and up in 万/亿" \
		absent -E '[¥$]([0-9]{2,3},[0-9]{3}|[0-9]{1,3}(,[0-9]{3}){2,})' "$tmp/page$n.txt"
done
text "$R/index.zh-CN.html" >"$tmp/report.txt"
check "zh-CN report: no raw CRM code" no_codes "$tmp/report.txt"
check "zh-CN report: headline amounts in 万/亿" absent -E '[¥$]([0-9]{2,3},[0-9]{3}|[0-9]{1,3}(,[0-9]{3}){2,})' "$tmp/report.txt"
check "zh-CN account page: an amount in 万" grep -q '¥[0-9.]*万' "$tmp/page2.txt"
check "zh-CN lost deal: its lost reason by its label" \
	grep -qx "$(q "SELECT CASE lost_reason WHEN 'price' THEN '价格' WHEN 'competitor' THEN '输给竞争对手'
	             WHEN 'no budget' THEN '没有预算' WHEN 'no decision maker reached' THEN '未接触到第一KP'
	             WHEN 'timing' THEN '时机不对' WHEN 'no real need' THEN '没有真实需求' END
	             FROM crmx_src.opportunities WHERE opportunity_id = $lost_deal")" "$tmp/page6.txt"

# The same stage name in the funnel chart and in the tables.
check "en report: the stalled deals' stage as the chart names it" \
	grep -q '<td>\(Qualified\|Judged\|Solution\|Consensus\|Signing\)</td>' "$R/index.html"
check "en report: no raw stage key in a table cell" \
	absent '<td>\(qualified\|judged\|designed\|consensus\|negotiation\)</td>' "$R/index.html"

# --- one definition of stage-to-stage conversion ---------------------------
run=$(q "SELECT max(run_id) FROM crmx.run WHERE status = 'ok'")
q "SELECT stage_rank, round(conversion_next::numeric, 4) FROM crmx.funnel_metrics
   WHERE run_id = $run AND stage_rank < 5 ORDER BY 1" | tr '|' ' ' >"$tmp/conv.sql"
get exec /crmx/pipeline -H 'Accept: application/json' >/dev/null
json "'\n'.join('%d %.4f' % (s['stage_rank'], s['to_next']) for s in j['stages'] if s['stage_rank'] < 5)" \
	>"$tmp/conv.panel"
check "four conversions stored by the run" test "$(wc -l <"$tmp/conv.sql")" = 4
check "panel (JSON) = report's stored conversion, layer by layer" same "$(cat "$tmp/conv.panel")" "$(cat "$tmp/conv.sql")"
get exec /crmx/pipeline >/dev/null
/usr/bin/python3 - "$tmp/body" "$R/index.html" >"$tmp/conv.html" <<'PY'
import re, sys
panel = open(sys.argv[1], encoding="utf-8").read()
report = open(sys.argv[2], encoding="utf-8").read()
p = re.findall(r'<td class="num" title="On to the next stage[^"]*">(?:<span[^>]*>)?([0-9.]+%)', panel)
sec = re.search(r'(?s)<section id="funnel">.*?</section>', report).group(0)
r = [row[3] for row in (re.findall(r"<td[^>]*>([^<]*)</td>", tr) for tr in re.findall(r"(?s)<tr>.*?</tr>", sec)) if len(row) >= 4 and row[3].endswith("%")]
print(" ".join(p)); print(" ".join(r))
PY
check "panel and report pages show the same four percentages" \
	same "$(sed -n 1p "$tmp/conv.html")" "$(sed -n 2p "$tmp/conv.html")"
check "... and there are four" test "$(sed -n 1p "$tmp/conv.html" | wc -w)" = 4
check "the panel says how conversion is defined" grep -q 'have left it or are closed' "$tmp/body"
check "the report says how conversion is defined" grep -q 'have left it or are closed' "$R/index.html"

# --- every computed figure has a place --------------------------------------
get exec /crmx/pipeline -H 'Accept: application/json' >/dev/null
check "pipeline: median days per stage" same "$(json "len([s for s in j['stages'] if s['median_days_in_stage'] is not None])")" \
	"$(q "SELECT count(*) FROM crmx.funnel_metrics WHERE run_id = $run AND median_days_in_stage IS NOT NULL")"
get exec /crmx/pipeline -H 'Accept: application/json' >/dev/null
check "pipeline: lost reasons, count and amount = SQL" same \
	"$(json "' '.join('%s:%d:%.2f' % (x['lost_reason'], x['deals'], x['amount']) for x in sorted(j['lost_reasons'], key=lambda x: str(x['lost_reason'])))")" \
	"$(q "SELECT string_agg(coalesce(lost_reason, 'None') || ':' || n || ':' || a, ' ' ORDER BY coalesce(lost_reason, 'None'))
	      FROM (SELECT lost_reason, count(*) AS n, sum(amount) AS a FROM crmx_src.opportunities
	            WHERE outcome = 'lost' AND closed_at >= (SELECT window_start FROM crmx.run WHERE run_id = $run)
	              AND closed_at < date '2026-07-01'
	            GROUP BY 1) x")"
check "pipeline: win rate by source = the run's" same \
	"$(json "' '.join('%s:%d:%d' % (x['source'], x['won'], x['lost']) for x in sorted(j['win_rate_by_source'], key=lambda x: x['source']))")" \
	"$(q "SELECT string_agg(key || ':' || won || ':' || lost, ' ' ORDER BY key) FROM crmx.win_rate
	      WHERE run_id = $run AND dimension = 'source'")"
get exec /crmx/pipeline >/dev/null
check "pipeline page: lost reasons and win rate by source sections" \
	grep -q 'id="lost".*id="sources"' "$tmp/body"
check "report: Gini card" grep -q 'id="kpi-gini"' "$R/index.html"
check "report: revenue per activity hour card" grep -q 'id="kpi-revenue_per_activity_hour"' "$R/index.html"
check "report: lost reasons and win rate by source tables" \
	test -s "$R/lost_reasons.csv" -a -s "$R/win_rate_by_source.csv"
check "report: the Gini shown is the run's" grep -q "$(q "SELECT to_char(gini, 'FM0.000') FROM crmx.concentration WHERE run_id = $run AND scope = 'accounts'")" "$R/index.html"
