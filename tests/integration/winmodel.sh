#!/bin/sh
# The close-probability model against scikit-learn: the same fixed data set
# (tests/fixtures/winmodel.csv) fitted by reportd's C code
# (reportd/metrics/winmodel.c, through `test_winmodel --fit`) and by
# sklearn's LogisticRegression with the same penalty gives the same
# intercept, coefficients and predictions to 1e-4.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

section "the close-probability model against scikit-learn"
if ! /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
	fail "python3-sklearn is installed (deploy/install-deps test)"
	exit 0
fi
"$top/$O/tests/unit/test_winmodel" --fit "$top/tests/fixtures/winmodel.csv" >"$tmp/c" 2>&1
check "our fit ran" same "$?" 0
/usr/bin/python3 "$top/tests/lib/sklearn_fit.py" "$top/tests/fixtures/winmodel.csv" >"$tmp/py" 2>&1
check "sklearn's fit ran" same "$?" 0
check "as many numbers (5 coefficients, 300 predictions)" same "$(wc -l <"$tmp/c")" 305
check "... from each" same "$(wc -l <"$tmp/py")" 305
worst=$(paste -d' ' "$tmp/c" "$tmp/py" | awk '
	{ d = $1 - $2; if (d < 0) d = -d; if (d > w) w = d }
	END { printf "%.3g\n", w + 0 }')
echo "largest difference: $worst"
check "coefficients and predictions equal to 1e-4" same \
	"$(paste -d' ' "$tmp/c" "$tmp/py" | awk '{ d = $1 - $2; if (d > 1e-4 || d < -1e-4) n++ } END { print n + 0 }')" 0
check "... and not an empty comparison" same "$(paste -d' ' "$tmp/c" "$tmp/py" | awk 'NF == 2' | wc -l)" 305

# The fit sums 20,000 rows or more in slices on every core
# (winmodel.c): the same rows 100 times over (30,000), against sklearn's
# fit of those.
grep -v '^#' "$top/tests/fixtures/winmodel.csv" >"$tmp/once.csv"
for i in $(seq 1 100); do cat "$tmp/once.csv"; done >"$tmp/big.csv"
"$top/$O/tests/unit/test_winmodel" --fit "$tmp/big.csv" >"$tmp/bc" 2>&1
check "30,000 rows: our fit ran" same "$?" 0
/usr/bin/python3 "$top/tests/lib/sklearn_fit.py" "$tmp/big.csv" >"$tmp/bpy" 2>"$tmp/bpy.err"
check "30,000 rows: sklearn's fit ran" same "$?" 0
check "30,000 rows: as many numbers from each (5 coefficients, 30,000 predictions)" same \
	"$(wc -l <"$tmp/bc") $(wc -l <"$tmp/bpy")" "30005 30005"
echo "largest difference: $(paste -d' ' "$tmp/bc" "$tmp/bpy" | awk '
	{ d = $1 - $2; if (d < 0) d = -d; if (d > w) w = d } END { printf "%.3g\n", w + 0 }')"
check "30,000 rows: coefficients and predictions equal to 1e-4" same \
	"$(paste -d' ' "$tmp/bc" "$tmp/bpy" | awk 'NF == 2 { d = $1 - $2; if (d > 1e-4 || d < -1e-4) n++; m++ } END { print n + 0, m + 0 }')" "0 30005"

# --- on the demo data of `make run` (2,000 accounts, seed 1), whose outcomes
# depend on such features (admin/demo_deals.c)
section "the learned forecast's backtest on the demo data"
host=${CRMX_TEST_PGHOST:?}
db=t_winmodel
qa() { psql -h "$host" -U crmx -d crmx -X -Atqc "$1"; }
trap 'qa "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
qa "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
qa "CREATE DATABASE $db TEMPLATE crmx_template" >/dev/null
"$top/$O/admin/crmx-admin" --config "${CRMX_TEST_CONF:-/dev/null}" --sql-dir "$top/sql" \
	--set "database.conninfo=host=$host dbname=$db user=crmx" demo --seed 1 \
	--anchor 2026-06-30 >"$tmp/demo.log" 2>&1 || cat "$tmp/demo.log"
"$top/$O/reportd/crmx-reportd" --set "database.conninfo=host=$host dbname=$db user=crmx" \
	--run-once --as-of 2026-06-30 --format json >"$tmp/sum.json" 2>"$tmp/run.log"
check "a run with --format json" same "$?" 0
/usr/bin/python3 - "$tmp/sum.json" >"$tmp/bt" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))["learned_forecast"]
b = f["backtest"]
print("uses", f["forecast_uses"], f["reason"])
print("brier", b["brier"]["model"], b["brier"]["stage_weights"])
print("log_loss", b["log_loss"]["model"], b["log_loss"]["stage_weights"])
print("resolved", b["deals_closed_since"], "rows", b["training_rows"])
print("revenue", b["revenue"]["model_expected"], b["revenue"]["stage_weights_expected"], b["revenue"]["won"])
print("forecasts", f["learned_forecast"], f["weighted_forecast"])
for d in b["calibration"]:
    print("decile", d["decile"], d["deals"], d["predicted"], d["observed"])
PY
cat "$tmp/bt"
check "the backtest scored deals closed since the cut" awk '$1 == "resolved" { exit !($2 >= 100) }' "$tmp/bt"
check "the model's Brier score beats the stage weights'" awk '$1 == "brier" { exit !($2 < $3) }' "$tmp/bt"
check "the model's log loss beats the stage weights'" awk '$1 == "log_loss" { exit !($2 < $3) }' "$tmp/bt"
check "so the forecast uses the model" grep -q '^uses model beats_stage_weights$' "$tmp/bt"
check "ten calibration deciles" same "$(grep -c '^decile' "$tmp/bt")" 10
check "a stored row per open deal, with its learned probability and top features" same \
	"$(psql -h "$host" -U crmx -d $db -X -Atqc "SELECT count(*) = (SELECT count(*) FROM crmx_src.opportunities
	   WHERE outcome = 'open' AND created_at < '2026-07-01') AND bool_and(probability BETWEEN 0 AND 1)
	   AND bool_and(cardinality(top_features) = 3) FROM crmx.latest_deal_forecast")" t
check "... and the backtest" same \
	"$(psql -h "$host" -U crmx -d $db -X -Atqc "SELECT uses_model AND brier_model < brier_stage
	   AND jsonb_array_length(calibration) = 10 FROM crmx.forecast_backtest
	   WHERE run_id = (SELECT run_id FROM crmx.latest_run)")" t

# --- the report: the section, the calibration chart, in both languages
"$top/$O/reportd/crmx-reportd" --set "database.conninfo=host=$host dbname=$db user=crmx" \
	--set reportd.language=en,zh-CN --set reportd.report_dir="$tmp/reports" \
	--run-once --report --as-of 2026-06-30 >/dev/null 2>"$tmp/report.log"
check "a report" same "$?" 0
# the run's text summary: the backtest's scores as --format json gave them
"$top/$O/reportd/crmx-reportd" --set "database.conninfo=host=$host dbname=$db user=crmx" \
	--run-once --as-of 2026-06-30 >"$tmp/run.txt" 2>>"$tmp/run.log"
for k in "brier model learned" "brier stage_weights stage weights" \
         "log_loss model learned" "log_loss stage_weights stage weights"; do
	set -- $k
	want=$(/usr/bin/python3 -c 'import json,sys
b = json.load(open(sys.argv[1]))["learned_forecast"]["backtest"]
print("%.4f" % b[sys.argv[2]][sys.argv[3]])' "$tmp/sum.json" "$1" "$2")
	label="backtest $(echo "$1" | sed 's/brier/Brier/; s/log_loss/log loss/'), $(echo "$k" | cut -d' ' -f3-)"
	got=$(sed -n "s/^ *$label  *\([0-9.]*\)\$/\1/p" "$tmp/run.txt")
	check "text summary: $label $got" same "$got" "$want"
done
R=$tmp/reports/2026-W27
for f in calibration.svg calibration.png calibration.zh-CN.svg calibration.zh-CN.png; do
	check "the calibration chart $f" test -s "$R/charts/$f"
done
check "the page's section on the learned forecast" grep -q 'id="learned-forecast"' "$R/index.html"
check "... with the Brier scores of both" grep -q 'Brier score (lower is better)</th><td class="n">0\.1' "$R/index.html"
check "... saying the forecast uses the model" grep -q 'so the forecast uses it' "$R/index.html"
check "... in Chinese too" grep -q '因此预测采用学习模型' "$R/index.zh-CN.html"
# the charts stay for a person to look at
mkdir -p "$top/$O/screenshots"
cp "$R/charts/calibration.png" "$top/$O/screenshots/calibration.png" 2>/dev/null
cp "$R/charts/calibration.zh-CN.png" "$top/$O/screenshots/calibration.zh-CN.png" 2>/dev/null
cp -r "$R" "$top/$O/screenshots/winmodel-report" 2>/dev/null
check "summary.json carries the backtest" same "$(/usr/bin/python3 -c 'import json,sys
print(json.load(open(sys.argv[1]))["summary"]["learned_forecast"]["forecast_uses"])' "$R/summary.json")" model
