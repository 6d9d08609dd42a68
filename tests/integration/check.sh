#!/bin/sh
# crmx-admin check: on a deployment that has everything, seven "ok"
# lines and exit 0; each missing piece (database, schema, adapter
# contract, gnuplot, report folder) is one FAIL line naming it, and exit 1.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
admin=$top/$O/admin/crmx-admin
host=${CRMX_TEST_PGHOST:?}
tmp=$(mktemp -d)
q() { psql -h "$host" -U crmx -d "$1" -X -Atqc "$2"; }
trap 'q crmx "DROP DATABASE IF EXISTS t_check" 2>/dev/null; q crmx "DROP DATABASE IF EXISTS t_check_empty" 2>/dev/null; rm -rf "$tmp"' EXIT
q crmx "DROP DATABASE IF EXISTS t_check" 2>/dev/null
q crmx "CREATE DATABASE t_check TEMPLATE crmx_demo"
q crmx "DROP DATABASE IF EXISTS t_check_empty" 2>/dev/null
q crmx "CREATE DATABASE t_check_empty"
mkdir "$tmp/reports"
# run DB [--set ...]: crmx-admin check on DB, output in $tmp/out, status in $rc.
run() {
	db=$1; shift
	"$admin" --config /dev/null --set "database.conninfo=host=$host dbname=$db user=crmx" \
		--set "reportd.report_dir=$tmp/reports" --sql-dir "$top/sql" "$@" check >"$tmp/out" 2>&1
	rc=$?
}

section "crmx-admin check"
run t_check
cat "$tmp/out"
check "a complete deployment: exit 0" same "$rc" 0
check "... seven lines, each ok" same "$(grep -c '^ok ' "$tmp/out")" 7
check "... no FAIL" absent FAIL "$tmp/out"

# fails NAME THING: the last run exited 1 with exactly one FAIL line, for THING.
fails() {
	if [ "$rc" -eq 1 ] && [ "$(grep -c '^FAIL' "$tmp/out")" -eq 1 ] &&
	   grep -q "^FAIL  $2 " "$tmp/out"; then pass "$1"
	else cat "$tmp/out"; fail "$1 (exit $rc)"; fi
}
run t_check --set reportd.gnuplot=/nonexistent/gnuplot
fails "gnuplot missing: one FAIL line, exit 1" gnuplot
run t_check --set "reportd.report_dir=$tmp/nowhere"
fails "report folder missing: one FAIL line" reports
v=$(q t_check "SELECT max(version) FROM crmx.schema_version")
name=$(q t_check "DELETE FROM crmx.schema_version WHERE version = $v RETURNING name")
run t_check
fails "a migration not applied: one FAIL line" schema
check "... says to run migrate" grep -q "crmx-admin migrate" "$tmp/out"
q t_check "INSERT INTO crmx.schema_version (version, name) VALUES ($v, '$name')"
q t_check "DROP VIEW crmx_src.activities; CREATE VIEW crmx_src.activities AS
	SELECT activity_id, account_id, opportunity_id, owner_id, kind, started_at FROM crmx_native.activities"
run t_check
fails "a view without a contract column: one FAIL line" adapter
check "... names the view" grep -q "crmx_src.activities" "$tmp/out"
run t_check_empty
check "an empty database: exit 1" same "$rc" 1
check "... schema and adapter fail" same "$(grep -c '^FAIL  \(schema\|adapter\) ' "$tmp/out")" 2
run t_check --set "database.conninfo=host=$tmp dbname=nothing user=crmx connect_timeout=2"
check "no database: exit 1" same "$rc" 1
check "... the database line fails" grep -q '^FAIL  database ' "$tmp/out"
