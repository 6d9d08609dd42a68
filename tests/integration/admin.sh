#!/bin/sh
# crmx-admin and the programs' configuration handling, against the test
# cluster: one-line errors and non-zero exits for bad configuration,
# idempotent migrations, and the CSV import's guarantees (file:line errors,
# whole file or nothing, no duplicates on re-import, unknown accounts
# created).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
admin=$top/$O/admin/crmx-admin
reportd=$top/$O/reportd/crmx-reportd
host=${CRMX_TEST_PGHOST:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

q() { psql -h "$host" -U crmx -d "$1" -X -Atqc "$2"; }
q crmx "DROP DATABASE IF EXISTS t_admin" 2>/dev/null
q crmx "CREATE DATABASE t_admin TEMPLATE crmx_template"
ci="host=$host dbname=t_admin user=crmx"
a() { "$admin" --set "database.conninfo=$ci" --sql-dir "$top/sql" "$@"; }

# expect_error NAME STATUS PATTERN COMMAND...: fails with that exit status
# and one line on stderr matching PATTERN, and no crash.
expect_error() {
	name=$1 want=$2 pat=$3; shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(grep -c '' "$tmp/err")
	if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$tmp/err"; then
		pass "$name"
	else
		fail "$name (exit $rc, $lines stderr lines)"
		sed 's/^/    /' "$tmp/err"
	fi
}

# ---- configuration errors: one line, non-zero, never a crash
# Program options come before a command of crmx-admin: "$admin OPTS status".
for prog in crmx-admin crmx-reportd crmx.fcgi; do
	case $prog in
	crmx-admin)   run() { "$admin" "$@" status; } ;;
	crmx-reportd) run() { "$reportd" "$@" --check; } ;;
	crmx.fcgi)    run() { "$top/$O/fcgi/crmx.fcgi" "$@" --check; } ;;
	esac
	expect_error "$prog: unreachable database" 1 "database.*nowhere" \
		run --set "database.conninfo=host=$tmp/nowhere dbname=x user=crmx"
	expect_error "$prog: unknown database user" 1 "crmx_nobody" \
		run --set "database.conninfo=host=$host dbname=t_admin user=crmx_nobody"
	expect_error "$prog: unknown option" 2 "unknown option.*--no-such-option" run --no-such-option
	case $prog in
	crmx.fcgi) bin=$top/$O/fcgi/crmx.fcgi ;;
	*)         bin=$top/$O/${prog#crmx-}/$prog ;;
	esac
	expect_error "$prog: option without its value" 2 "needs a value" "$bin" --config
	printf '[database]\nconninfo = x\ncolour = blue\n' >"$tmp/bad.conf"
	expect_error "$prog: unknown setting names its line" 2 "bad.conf line 3.*colour" \
		run --config "$tmp/bad.conf"
	expect_error "$prog: missing config file" 2 "nope.conf" run --config "$tmp/nope.conf"
done
expect_error "crmx-admin demo: options are checked before connecting" 2 "unknown option.*--zzz" \
	"$admin" --set "database.conninfo=host=$tmp/nowhere dbname=x user=crmx" demo --zzz
expect_error "crmx-admin: unknown command" 2 "frobnicate" "$admin" frobnicate
printf '[metrics]\nwindow_days = -3\n' >"$tmp/bad2.conf"
expect_error "a bad value names the setting" 2 "window_days" "$reportd" --config "$tmp/bad2.conf" --check
expect_error "reportd: bad --as-of" 2 "2026-13-01" "$reportd" --set "database.conninfo=$ci" \
	--run-once --as-of 2026-13-01

# ---- migrations are idempotent
a migrate >"$tmp/m1" 2>&1
check "migrate again applies nothing" grep -q "0 applied now" "$tmp/m1"
v=$(q t_admin "SELECT string_agg(version::text, ' ' ORDER BY version) FROM crmx.schema_version")
n=$(ls "$top"/sql/migrations/ | sed -n 's/^0*\([0-9][0-9]*\)_.*\.sql$/\1/p' | sort -n | tr '\n' ' ' | sed 's/ $//')
check "schema_version records every migration file ($v)" same "$v" "$n"
a adapter native >/dev/null 2>&1
check "adapter can be re-installed" test "$(q t_admin "SELECT value FROM crmx.settings WHERE key = 'adapter'")" = native
expect_error "unknown adapter" 1 "nosuch" a adapter nosuch

# ---- CSV import
mkdir -p "$tmp/in"
cat >"$tmp/in/users.csv" <<'CSV'
user_id,login,name,team,role
1,ann,Ann Lee,North,rep
2,bo,Bo Chen,North,manager
CSV
cat >"$tmp/in/accounts.csv" <<'CSV'
account_id,name,owner_id,region,city,industry,created_at
10,"Acme, Inc.",1,North,Harbin,Tools,2025-01-02 10:00:00+00
11,东方机械有限公司,1,North,沈阳,Machinery,2025-02-03 10:00:00+00
CSV
cat >"$tmp/in/revenue.csv" <<'CSV'
revenue_id,account_id,booked_at,amount,margin
r1,10,2026-01-05,100.50,
r2,10,2026-02-05,-20.00,
r3,99,2026-03-01,75.25,
CSV
a import "$tmp/in" >"$tmp/imp" 2>&1
check "import a folder" test "$(q t_admin "SELECT count(*) FROM crmx_src.revenue")" = 3
check "Chinese names load intact" test "$(q t_admin "SELECT city FROM crmx_src.accounts WHERE account_id = 11")" = "沈阳"
check "revenue of an unknown account creates it" \
	test "$(q t_admin "SELECT count(*) FROM crmx_src.accounts WHERE account_id = 99")" = 1
versions() { q t_admin "SELECT string_agg(revenue_id || ':' || xmin, ',' ORDER BY revenue_id)
                       FROM crmx_native.revenue"; }
v0=$(versions)
a import "$tmp/in" >/dev/null 2>&1
check "re-import duplicates nothing" test "$(q t_admin "SELECT count(*) FROM crmx_src.revenue")" = 3
check "re-import keeps the users" test "$(q t_admin "SELECT count(*) FROM crmx_src.users")" = 2
check "re-import rewrites no row it leaves as it was ($v0)" same "$v0" "$(versions)"
sed 's/^r2,10,2026-02-05,-20.00,$/r2,10,2026-02-05,-25.00,/' "$tmp/in/revenue.csv" >"$tmp/revenue.csv"
a import "$tmp/revenue.csv" >"$tmp/out" 2>&1
check "a changed row is updated, and only it" \
	same "$(q t_admin "SELECT string_agg(import_key || ' ' || amount, ',' ORDER BY import_key)
	                   FROM crmx_native.revenue WHERE xmin::text::bigint > ${v0##*:}")" "id:r2 -25.00"
cp "$tmp/in/revenue.csv" "$tmp/revenue.csv"
a import "$tmp/revenue.csv" >/dev/null 2>&1

cat >"$tmp/bad.csv" <<'CSV'
revenue_id,account_id,booked_at,amount,margin
r4,10,2026-04-01,10.00,
r5,10,2026-02-30,10.00,
r6,ten,2026-04-02,10.00,
r7,10,2026-04-03,12.345,
CSV
cp "$tmp/bad.csv" "$tmp/revenue_bad.csv"
mv "$tmp/bad.csv" "$tmp/revenue.csv"
a import "$tmp/revenue.csv" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "a bad file fails" test "$rc" -ne 0
check "errors name file and line (bad date)" grep -q "revenue.csv:3" "$tmp/err"
check "errors name file and line (bad id)" grep -q "revenue.csv:4" "$tmp/err"
check "errors name file and line (too many decimals)" grep -q "revenue.csv:5" "$tmp/err"
check "nothing of a bad file is loaded" \
	test "$(q t_admin "SELECT count(*) FROM crmx_src.revenue")" = 3

printf 'account_id,name,owner_id\n12,Beta,42\n' >"$tmp/accounts.csv"
a import "$tmp/accounts.csv" >"$tmp/out" 2>"$tmp/err"
check "a reference to an unknown owner is refused with its line" grep -q "accounts.csv:2" "$tmp/err"
check "and loads nothing" test "$(q t_admin "SELECT count(*) FROM crmx_src.accounts WHERE account_id = 12")" = 0
printf 'account_id,nome\n12,Beta\n' >"$tmp/accounts.csv"
a import "$tmp/accounts.csv" >"$tmp/out" 2>"$tmp/err"
check "an unknown column is named with its line" grep -q 'accounts.csv:1: unknown column "nome"' "$tmp/err"

q crmx "DROP DATABASE IF EXISTS t_admin" 2>/dev/null
exit 0
