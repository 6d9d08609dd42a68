#!/bin/sh
# Exact money in what users read (issue 15), on the demo data: no amount
# in `--format json`, the report's summary.json or its CSV files has more
# decimals than the currency (CNY: 2; JPY: 0), and the account panel
# labels historical and predicted value with their one basis (the demo's
# revenue rows carry margins: both are margin, and the historical margin is
# the exact SQL numeric sum of the account's margins).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "exact money in panels" "nginx not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
trap 'panels_env_stop' EXIT
panels_env_start t_money || exit 0
reportd=$top/$O/reportd/crmx-reportd

# amounts FILE DIGITS KIND: the amounts of a JSON document ("json") or the
# money columns of a report CSV ("csv") with more than DIGITS decimals,
# one a line; "none found" (a failure) when the file holds no amount.
amounts() {
	/usr/bin/python3 - "$@" <<'PY'
import csv, json, re, sys
path, digits, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
keys = {"total", "revenue_window", "reached_amount", "open_amount", "weighted",
        "weighted_pipeline", "predicted_total", "mean_won_amount", "amount", "month",
        "quarter", "revenue_window", "hist_ltv", "ltv_pred"}
money_cols = {"revenue_window", "ltv_pred", "hist_ltv", "amount"}
seen, bad = 0, []
def dec(s):
    return len(s.split(".")[1]) if "." in s else 0
if kind == "json":
    text = open(path).read()
    # as written: "key": number
    for k, v in re.findall(r'"([a-zA-Z_]+)":\s*(-?[0-9][0-9.eE+-]*)', text):
        if k in keys or (k in "ABC" and "." in v):
            seen += 1
            if dec(v) > digits or "e" in v.lower():
                bad.append("%s=%s" % (k, v))
else:
    for row in csv.DictReader(open(path, newline="")):
        for k, v in row.items():
            if k in money_cols and v:
                seen += 1
                if dec(v) > digits:
                    bad.append("%s=%s" % (k, v))
if seen == 0:
    print("none found")
for b in bad:
    print(b)
PY
}

for cur in CNY:2 JPY:0; do
	c=${cur%:*} d=${cur#*:}
	out=$tmp/report-$c
	"$reportd" --set "database.conninfo=$ci" --set "metrics.currency=$c" \
		--set reportd.report_dir="$out" --run-once --report --as-of 2026-06-30 \
		>"$tmp/run-$c.path" 2>"$tmp/run-$c.log" || { fail "run and report in $c"; cat "$tmp/run-$c.log"; continue; }
	"$reportd" --set "database.conninfo=$ci" --set "metrics.currency=$c" \
		--run-once --as-of 2026-06-30 --format json >"$tmp/run-$c.json" 2>>"$tmp/run-$c.log"
	r=$(cat "$tmp/run-$c.path")
	check "$c: --format json writes amounts with at most $d decimals" same "$(amounts "$tmp/run-$c.json" "$d" json)x" x
	check "$c: summary.json writes amounts with at most $d decimals" same "$(amounts "$r/summary.json" "$d" json)x" x
	n=0
	for f in "$r"/*.csv; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		bad=$(amounts "$f" "$d" csv | grep -v '^none found$')
		check "$c: $(basename "$f") writes amounts with at most $d decimals" same "${bad}x" x
	done
	check "$c: the report has CSV files ($n)" test "$n" -gt 0
done

# Historical and predicted value on one basis: margin on the demo data
# (a run in CNY again: the JPY run rounded the stored amounts to yen).
"$reportd" --set "database.conninfo=$ci" --run-once --as-of 2026-06-30 >/dev/null 2>>"$tmp/run-CNY.log"
acct=$(q "SELECT account_id FROM crmx.latest_account_metrics WHERE hist_ltv IS NOT NULL
          AND ltv_pred IS NOT NULL ORDER BY hist_ltv DESC, account_id LIMIT 1")
check "an account with both values" test -n "$acct"
check "every account with revenue is valued by margin" same \
	"$(q "SELECT count(*) FILTER (WHERE value_basis = 'margin') || '/' || count(*)
	      FROM crmx.latest_account_metrics WHERE hist_ltv IS NOT NULL")" \
	"$(q "SELECT count(*) || '/' || count(*) FROM crmx.latest_account_metrics WHERE hist_ltv IS NOT NULL")"
check "historical margin = SQL numeric sum of margins, every account" same \
	"$(q "SELECT count(*) FROM crmx.latest_account_metrics m
	      JOIN (SELECT account_id, sum(margin) AS s FROM crmx_src.revenue
	             WHERE booked_at < '2026-07-01' GROUP BY account_id) r USING (account_id)
	     WHERE m.hist_ltv = r.s")" \
	"$(q "SELECT count(DISTINCT account_id) FROM crmx_src.revenue WHERE booked_at < '2026-07-01'")"
check "account panel: 200" same "$(get exec "/crmx/accounts/$acct")" 200
check "account panel labels historical margin" grep -q "Historical margin" "$tmp/body"
check "account panel labels predicted margin" grep -q "Predicted margin" "$tmp/body"
check "account panel JSON: 200" same "$(get exec "/crmx/accounts/$acct.json")" 200
check "account panel JSON: value_basis margin" same "$(json 'j["metrics"]["value_basis"]')" margin
check "account panel JSON: amounts with at most 2 decimals" same "$(amounts "$tmp/body" 2 json)x" x
# the pipeline's weighted amounts (amount x probability) to the cent
check "pipeline JSON: 200" same "$(get exec /crmx/pipeline.json)" 200
check "pipeline JSON: amounts with at most 2 decimals" same "$(amounts "$tmp/body" 2 json)x" x
