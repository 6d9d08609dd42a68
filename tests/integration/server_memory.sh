#!/bin/sh
# The clusters crmx starts (deploy/pgctl: make run, the tests, make bench)
# keep their processes' freed memory for the next query
# (docs/admin-guide.md, "The database server's memory"): a server
# process that runs the same query ten times, each hashing 20,000 groups
# (a few MB), takes few pages from the kernel after the first runs.  With
# glibc's defaults the same backend took about 1,350 page faults per run.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
host=${CRMX_TEST_PGHOST:?}
[ -r /proc/self/stat ] || { skip "server processes' page faults" "no /proc"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

query="SELECT count(*) FROM (SELECT g % 20000 AS k, sum(g::numeric)
       FROM generate_series(1, 100000) g GROUP BY 1) z;"
{
	echo 'SELECT pg_backend_pid() AS pid \gset'
	echo '\setenv CRMX_PGPID :pid'
	echo '\o /dev/null'
	for i in 1 2 3; do echo "$query"; done
	echo '\o'
	echo "\\! awk '{ print \"faults\", \$10 }' /proc/\$CRMX_PGPID/stat"
	echo '\o /dev/null'
	for i in 1 2 3 4 5 6 7 8 9 10; do echo "$query"; done
	echo '\o'
	echo "\\! awk '{ print \"faults\", \$10 }' /proc/\$CRMX_PGPID/stat"
} >"$tmp/q.sql"
psql -h "$host" -U crmx -d postgres -X -q -v ON_ERROR_STOP=1 -f "$tmp/q.sql" >"$tmp/out" 2>&1
check "a server process ran the query thirteen times and was measured twice" \
	test "$(grep -c '^faults [0-9][0-9]*$' "$tmp/out")" = 2
n=$(awk '/^faults/ { v[++i] = $2 } END { if (i == 2) print v[2] - v[1] }' "$tmp/out")
check "... ten runs took ${n:-?} page faults (under 1,000; glibc's defaults: about 13,500)" \
	test "${n:-1000000}" -lt 1000
