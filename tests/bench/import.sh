#!/bin/sh
# The CSV import's speed (issue 16): `crmx-admin import` of the revenue
# rows of the UCI "Online Retail" data set (406,829 invoice lines with a
# customer, from ../shared/data; without it, as many rows of the bench
# data set; or BENCH_IMPORT_CSV) against a plain COPY of the
# same file into the same table, side by side: both into
# crmx_native.revenue emptied before each, its indexes, foreign key and
# change-feed triggers in place, the accounts there (the import's first
# pass creates them).  Best of BENCH_IMPORT_ROUNDS (2) alternating rounds.
# Target: the import at least a third of COPY's rate.  A re-import of the
# unchanged file is printed beside them.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-build/default}
host=${CRMX_BENCH_PGHOST:?run through tests/bench/run}
dir=${CRMX_BENCH_DIR:?}/import
rounds=${BENCH_IMPORT_ROUNDS:-2}
src=${BENCH_IMPORT_SOURCE:-$top/../shared/data/online-retail/online_retail.csv.gz}
db=crmx_import
mkdir -p "$dir"
q() { psql -h "$host" -U crmx -d "$1" -X -Atqc "$2"; }
row() { echo "| $1 | $2 | $3 | $4 | $5 | $6 |"; }
now() { date +%s.%N; }
dt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# revenue.csv: account (CustomerID), day, quantity x unit price.
csv=${BENCH_IMPORT_CSV:-$dir/revenue.csv}
if [ ! -s "$csv" ] && [ ! -r "$src" ]; then
	sel="SELECT account_id, booked_at, amount FROM crmx_native.revenue ORDER BY revenue_id LIMIT 406829"
	psql -h "$host" -U crmx -d "${CRMX_BENCH_DB:?}" -X -qc "\\copy ($sel) TO '$csv' WITH (FORMAT csv, HEADER)"
elif [ ! -s "$csv" ]; then
	gzip -dc "$src" | /usr/bin/python3 -c '
import csv, sys
from decimal import Decimal
r = csv.reader(sys.stdin)
next(r)
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["account_id", "booked_at", "amount"])
for f in r:
    if f[6]:
        a = (Decimal(f[3]) * Decimal(f[5])).quantize(Decimal("0.01"))
        w.writerow([int(float(f[6])), f[4][:10], a])
' >"$csv.tmp"
	mv "$csv.tmp" "$csv"
fi
n=$(($(wc -l <"$csv") - 1))

q crmx "DROP DATABASE IF EXISTS $db" >/dev/null
q crmx "CREATE DATABASE $db" >/dev/null
admin() { "$top/$O/admin/crmx-admin" --set "database.conninfo=host=$host dbname=$db user=crmx" \
	--sql-dir "$top/sql" "$@"; }
admin migrate >/dev/null 2>&1
admin adapter native >/dev/null 2>&1
admin import "$csv" >/dev/null 2>&1	# creates the accounts; warms the cache

imp_best="" copy_best="" re_best=""
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
for i in $(seq "$rounds"); do
	q "$db" "TRUNCATE crmx_native.revenue" >/dev/null
	t0=$(now); admin import "$csv" >/dev/null 2>"$dir/import.log"; t1=$(now)
	imp_best=$(best "$imp_best" "$(dt "$t0" "$t1")")
	t0=$(now); admin import "$csv" >/dev/null 2>>"$dir/import.log"; t1=$(now)
	re_best=$(best "$re_best" "$(dt "$t0" "$t1")")
	q "$db" "TRUNCATE crmx_native.revenue" >/dev/null
	t0=$(now)
	psql -h "$host" -U crmx -d "$db" -X -qc \
		"\\copy crmx_native.revenue (account_id, booked_at, amount) FROM '$csv' WITH (FORMAT csv, HEADER)"
	t1=$(now)
	copy_best=$(best "$copy_best" "$(dt "$t0" "$t1")")
done
got=$(q "$db" "SELECT count(*) FROM crmx_native.revenue")
[ "$got" = "$n" ] || { echo "import bench: COPY loaded $got of $n rows" >&2; exit 1; }
q crmx "DROP DATABASE $db" >/dev/null

rate() { awk -v n="$n" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
ratio=$(awk -v a="$copy_best" -v b="$imp_best" 'BEGIN { printf "%.2f", a / b }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 1 / 3) ? "ok" : "MISSED" }')
row "import of $n revenue rows vs plain COPY of the file into the same table (rows/s; $imp_best s vs $copy_best s)" \
    "$(rate "$imp_best")" "$(rate "$copy_best")" "${ratio}x" ">= 0.33x" "$verdict"
row "the same file imported again: nothing new or changed (rows/s; $re_best s)" \
    "$(rate "$re_best")" "" "" "" ""
