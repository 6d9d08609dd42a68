#!/bin/sh
# reportd's runs (issue 19): the as-of date of a requested run is bounded;
# a Chinese run that fails on a full disk logs readable UTF-8; a run killed
# mid-way leaves no staging folder after a restart and a requested run is
# resumed; a snapshot whose COPY returns more accounts than counted fails
# cleanly; a run that fails in its store leaves nothing of its own.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
. "$top/tests/lib/reportd-env.sh"
mounted=""
cleanup() {
	stop_all
	[ -f "$tmp/gp.pids" ] && for p in $(cat "$tmp/gp.pids"); do kill "$p" 2>/dev/null; done
	[ -n "$mounted" ] && umount "$mounted" 2>/dev/null
	drop_tmp
}
trap cleanup EXIT
demo_db t_runs
rd() { ${exec:-} "$reportd" --set "database.conninfo=$ci" --set reportd.retry_s=1 "$@"; }

# --- as_of bounded (finding 6) -------------------------------------------------
start_reportd a --set reportd.report_dir="$tmp/ra"
A=http://127.0.0.1:$a_port
check "reportd listens (port $a_port)" test -n "$a_port"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST "$A/api/runs?as_of=2999-12-31")
check "POST /api/runs?as_of=2999-12-31: 400 (got $code)" test "$code" = 400
check "the 400 says the date is after today" grep -q '"as_of 2999-12-31 is after today' "$tmp/body"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST "$A/api/runs?as_of=1969-12-31")
check "POST /api/runs?as_of=1969-12-31: 400 (got $code)" test "$code" = 400
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST "$A/api/runs?as_of=2026-06-30")
check "POST /api/runs?as_of=2026-06-30: 202 (got $code)" test "$code" = 202
check "the run of 2026-06-30 is reported" wait_week "$a_port" 2026-W27
check "no run of a date after today" test "$(q "SELECT count(*) FROM crmx.run WHERE as_of > current_date")" = 0
check "no request recorded but 2026-06-30's" test "$(q "SELECT string_agg(as_of::text, ' ') FROM crmx.run_request")" = 2026-06-30
check "one run in all (2026-06-30)" test "$(q "SELECT string_agg(as_of::text, ' ') FROM crmx.run")" = 2026-06-30
check "no folder but 2026-W27" test "$(ls -A "$tmp/ra")" = 2026-W27
check "--as-of 2999-12-31 on the command line: exit 2" sh -c \
	"'$reportd' --set 'database.conninfo=$ci' --run-once --as-of 2999-12-31 2>/dev/null; test \$? = 2"
kill "$a_pid"

# --- a Chinese run on a full disk logs UTF-8 (finding 7) ------------------------
if [ "$(id -u)" != 0 ]; then
	skip "Chinese run on a full disk" "mounting a small tmpfs needs root"
elif mkdir "$tmp/full" && mount -t tmpfs -o size=64k tmpfs "$tmp/full"; then
	mounted=$tmp/full
	rd --set reportd.language=zh-CN --set reportd.report_dir="$tmp/full/r" \
		--run-once --report --as-of 2026-06-30 >/dev/null 2>"$tmp/full.log"
	st=$?
	check "a Chinese run on a full disk fails (exit $st)" test "$st" = 1
	grep -i 'error' "$tmp/full.log" >"$tmp/full.err"
	check "the failure is logged" test -s "$tmp/full.err"
	check "the logged error is valid UTF-8" /usr/bin/python3 -c \
		'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$tmp/full.err"
	check "the logged error has no run of '?' ($(head -c 300 "$tmp/full.err"))" \
		absent -F '??' "$tmp/full.err"
	check "the C library's message is in Chinese (设备上没有空间)" grep -q '设备上没有空间' "$tmp/full.err"
	umount "$tmp/full" && mounted=""
else
	fail "a 64k tmpfs mounts"
fi

# --- a snapshot that gets more accounts than it counted (from finding 12) -------
# A volatile view: each query of crmx_src.accounts in a session returns 5
# more rows than the one before, so the COPY sees more than the count.
qa "DROP DATABASE IF EXISTS ${db}_snap" >/dev/null 2>&1
qa "CREATE DATABASE ${db}_snap TEMPLATE crmx_demo" >/dev/null
psql -h "$host" -U crmx -d "${db}_snap" -X -q -v ON_ERROR_STOP=1 >"$tmp/snapview.log" 2>&1 <<'SQL'
CREATE FUNCTION public.t_extra() RETURNS int LANGUAGE plpgsql VOLATILE AS $$
DECLARE n int := coalesce(nullif(current_setting('crmx_test.calls', true), ''), '0')::int + 1;
BEGIN
	PERFORM set_config('crmx_test.calls', n::text, false);
	RETURN 5 * (n - 1);
END $$;
CREATE OR REPLACE VIEW crmx_src.accounts AS
SELECT account_id, name, owner_id, region, city, industry, created_at FROM crmx_native.accounts
UNION ALL
SELECT a.account_id + 100000000 + g, a.name, a.owner_id, a.region, a.city, a.industry, a.created_at
  FROM (SELECT * FROM crmx_native.accounts ORDER BY account_id LIMIT 1) a,
       generate_series(1, public.t_extra()) g;
SQL
check "a volatile accounts view in place" test $? = 0
"$reportd" --set "database.conninfo=host=$host dbname=${db}_snap user=crmx" \
	--run-once --as-of 2026-06-30 >/dev/null 2>"$tmp/snap.log"
st=$?
check "more accounts than counted: the run fails cleanly (exit $st)" test "$st" = 1
check "... saying so ($(tail -n 1 "$tmp/snap.log"))" grep -q 'crmx_src.accounts returned more rows than the [0-9]* counted' "$tmp/snap.log"
check "... no sanitizer report" absent 'Sanitizer' "$tmp/snap.log"
qa "DROP DATABASE IF EXISTS ${db}_snap" >/dev/null 2>&1

# --- a run killed mid-way is cleaned and resumed (finding 8) ----------------------
# gnuplot stalls, so the run is caught with its staging folder written.
cat >"$tmp/gp-slow" <<EOF
#!/bin/sh
echo \$\$ >>"$tmp/gp.pids"
exec sleep 120
EOF
chmod 755 "$tmp/gp-slow"
start_reportd k --set reportd.report_dir="$tmp/rk" --set reportd.gnuplot="$tmp/gp-slow" \
	--set reportd.gnuplot_timeout_s=300
K=http://127.0.0.1:$k_port
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST "$K/api/runs?as_of=2026-06-23")
check "POST /api/runs?as_of=2026-06-23: 202 (got $code)" test "$code" = 202
staged() { ls -d "$tmp/rk"/.new-* >/dev/null 2>&1; }
check "the run is under way: a staging folder" wait_for 60 staged
old_stage=$(ls -d "$tmp/rk"/.new-* 2>/dev/null | head -n 1)
check "the request is recorded as pending" \
	test "$(q "SELECT status FROM crmx.run_request WHERE as_of = '2026-06-23'")" = pending
kill -KILL "$k_pid"
for p in $(cat "$tmp/gp.pids" 2>/dev/null); do kill "$p" 2>/dev/null; done
check "reportd killed mid-run: its staging folder stays ($old_stage)" test -n "$old_stage" -a -d "$old_stage"
start_reportd k2 --set reportd.report_dir="$tmp/rk"
check "after a restart the dead run's staging folder is gone" wait_for 10 test ! -e "$old_stage"
check "after a restart the requested run is done (2026-W26)" wait_week "$k2_port" 2026-W26
check "the request is recorded as done with its run" test "$(q "SELECT status || ' ' || (run_id = (SELECT max(run_id) FROM crmx.run WHERE as_of = '2026-06-23' AND status = 'ok'))::text FROM crmx.run_request WHERE as_of = '2026-06-23'")" = "done true"
check "the restarted daemon says it removed the folder" grep -q 'left by a report run that died' "$tmp/k2.log"
check "no staging folder left" test -d "$tmp/rk" -a -z "$(ls -A "$tmp/rk" | grep '^\.new-')"
kill "$k2_pid"

# ---- a run left 'running' by a dead process is closed by the next run;
# one whose process still computes (it holds the run's lock) is not
dead=$(q "INSERT INTO crmx.run (as_of, window_start, window_end) VALUES ('2026-06-02', '2025-06-03', '2026-06-03') RETURNING run_id")
live=$(q "INSERT INTO crmx.run (as_of, window_start, window_end) VALUES ('2026-06-09', '2025-06-10', '2026-06-10') RETURNING run_id")
psql -h "$host" -U crmx -d $db -X -Atqc "SELECT pg_advisory_lock(1668443509, ${live:-0})" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
holder=$!
held() { test "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = ${live:-0} AND granted")" = 1; }
check "a live run's lock is held (run ${live:-none})" wait_for 10 held
rd --run-once --as-of 2026-06-30 >/dev/null 2>"$tmp/stale.log"
check "the next run closes the dead one ($dead) as interrupted" \
	same "$(q "SELECT status || ' ' || error FROM crmx.run WHERE run_id = ${dead:-0}")" "failed interrupted (the process ended)"
check "... and leaves the live one ($live) running" same "$(q "SELECT status FROM crmx.run WHERE run_id = ${live:-0}")" running
check "... and releases its own lock" same "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1668443509::bigint::oid")" 1
q "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = ${live:-0}" >/dev/null
wait "$holder" 2>/dev/null || :	# psql ends with its backend

# ---- the same run read on one connection or on two: [reportd]
# second_read_accounts (100,000) puts the revenue, the key persons
# reached and the qualification on a second connection in the same
# snapshot; 0 does so for the demo's 400 accounts.  The key persons
# reached are a feature of the learned forecast (deal_forecast), the
# revenue of every account figure, the qualification of the grades.
check "the demo has key persons reached" test "$(q "SELECT count(*) > 0 FROM crmx.contact_role WHERE reached")" = t
check "the demo has qualified accounts" test "$(q "SELECT count(*) > 0 FROM crmx.qualification")" = t
rd --run-once --as-of 2026-06-30 --format json >"$tmp/one.json" 2>"$tmp/one.log"
one=$(q "SELECT max(run_id) FROM crmx.run WHERE status = 'ok'")
rd --set reportd.second_read_accounts=0 --run-once --as-of 2026-06-30 --format json \
	>"$tmp/two.json" 2>"$tmp/two.log"
two=$(q "SELECT max(run_id) FROM crmx.run WHERE status = 'ok'")
check "a run on one connection ($one) and one on two ($two)" test -n "$one" -a -n "$two" -a "$one" != "$two"
check "... the first read on one" absent 'second connection' "$tmp/one.log"
check "... the second on two" grep -q 'revenue, the key persons reached and the qualification on a second connection' "$tmp/two.log"
for t in account_metrics owner_metrics deal_forecast concentration funnel_metrics; do
	n=$(q "SELECT count(*) FROM crmx.$t WHERE run_id = ${two:-0}")
	check "... the same $t ($n rows each)" test "${n:-0}" -gt 0 -a "$(run_rows_differ $t "$one" "$two")" = 0
done
sed 's/"run_id": *[0-9]*//' "$tmp/one.json" >"$tmp/one.cmp"
sed 's/"run_id": *[0-9]*//' "$tmp/two.json" >"$tmp/two.cmp"
same_summary() { test -s "$tmp/one.cmp" -a -s "$tmp/two.cmp" && cmp -s "$tmp/one.cmp" "$tmp/two.cmp"; }
check "... and the same summary" same_summary

# ---- a run that fails in its store leaves nothing of its own (0051): its
# accounts' rows and its regions' sums were committed before the store
# transaction (0054: the regions' sums with the accounts' rows); the
# failed run's table, its learned probabilities' partition and those sums
# go, and the latest complete run keeps its own.
q "ALTER TABLE crmx.concentration ADD CONSTRAINT t_fail CHECK (false) NOT VALID" >/dev/null
rd --run-once --as-of 2026-06-30 >/dev/null 2>"$tmp/fail.log"
st=$?
q "ALTER TABLE crmx.concentration DROP CONSTRAINT t_fail" >/dev/null
failed=$(q "SELECT max(run_id) FROM crmx.run WHERE status = 'failed'")
check "a run failing in its store: exit 1 ($st), run ${failed:-none} failed after ${two:-none}" \
	test "$st" = 1 -a "${failed:-0}" -gt "${two:-0}"
check "... in its store, after the regions' sums ($(grep -o 'failed: .*' "$tmp/fail.log" | head -c 200))" \
	grep -q "run ${failed:-0} failed: storing results: .*t_fail" "$tmp/fail.log"
check "... its accounts' table gone" same "$(q "SELECT to_regclass('crmx.account_metrics_${failed:-0}') IS NULL")" t
check "... its learned probabilities' partition gone" \
	same "$(q "SELECT to_regclass('crmx.deal_forecast_${failed:-0}') IS NULL")" t
for t in region_agg region_top precise_account closed_agg; do
	check "... none of its $t" same "$(q "SELECT count(*) FROM crmx.$t WHERE run_id = ${failed:-0}")" 0
	check "... the latest run's $t kept" test "$(q "SELECT count(*) FROM crmx.$t WHERE run_id = ${two:-0}")" -gt 0
done
check "... the latest complete run still $two" same "$(q "SELECT run_id FROM crmx.latest_run")" "$two"
check "... no sanitizer report" absent 'Sanitizer' "$tmp/fail.log"

# ---- the regions' sums, the precise customers and each owner's five
# largest of them per city, made by reportd from its snapshot (0054), are
# what the server makes of the same rows (0051's statement): accounts
# without a region, with an empty one, without a city or an owner, an
# owner's city with more than five precise customers, some of the same
# revenue (then by account id).
q "UPDATE crmx_native.accounts SET region = NULL WHERE account_id = (SELECT min(account_id) FROM crmx_native.accounts)" >/dev/null
q "UPDATE crmx_native.accounts a SET region = '', city = b.city FROM crmx_native.accounts b
   WHERE b.account_id = (SELECT min(account_id) FROM crmx_native.accounts)
   AND a.account_id = (SELECT min(account_id) + 1 FROM crmx_native.accounts)" >/dev/null
q "UPDATE crmx_native.accounts SET city = NULL WHERE account_id = (SELECT min(account_id) + 2 FROM crmx_native.accounts)" >/dev/null
q "UPDATE crmx_native.accounts SET owner_id = NULL WHERE account_id = (SELECT min(account_id) + 3 FROM crmx_native.accounts)" >/dev/null
q "INSERT INTO crmx.qualification (account_id, has_need, can_pay, has_authority, updated_by, updated_at)
   SELECT a.account_id, true, true, true, 'test', now() FROM crmx_src.accounts a
   WHERE (a.owner_id, a.region, a.city) = (SELECT b.owner_id, b.region, b.city FROM crmx_src.accounts b
   WHERE b.owner_id IS NOT NULL GROUP BY 1, 2, 3 ORDER BY count(*) DESC, 1, 2, 3 LIMIT 1)
   OR a.account_id <= (SELECT min(account_id) + 3 FROM crmx_native.accounts)
   ON CONFLICT (account_id) DO UPDATE SET has_need = true, can_pay = true, has_authority = true" >/dev/null
rd --run-once --as-of 2026-06-30 >/dev/null 2>"$tmp/sums.log"
sums=$(q "SELECT max(run_id) FROM crmx.run WHERE status = 'ok'")
check "a run (${sums:-none}) after ${two:-none}" test "${sums:-0}" -gt "${two:-0}"
S="WITH s AS (SELECT a.account_id, a.name, a.owner_id, coalesce(a.region, '') AS region,
     coalesce(a.city, '') AS city, m.revenue_window AS rev, m.open_deals, m.abc_class,
     coalesce(q.has_need AND q.can_pay AND q.has_authority, false) AS precise
   FROM crmx_src.accounts a
   LEFT JOIN crmx.account_metrics m ON m.run_id = ${sums:-0} AND m.account_id = a.account_id
   LEFT JOIN crmx.qualification q ON q.account_id = a.account_id)"
# differ STORED EXPECTED: rows of one not in the other, both ways
differ() {
	q "$S SELECT count(*) FROM (($1 EXCEPT ALL $2) UNION ALL ($2 EXCEPT ALL $1)) d"
}
agg_stored="SELECT whole, owner_id, region, city, accounts, precise, a_class, revenue, open_deals
	FROM crmx.region_agg WHERE run_id = ${sums:-0}"
agg_sql="SELECT grouping(owner_id) = 1, owner_id, region, city, count(*),
	count(*) FILTER (WHERE precise), count(*) FILTER (WHERE abc_class = 'A'),
	coalesce(sum(rev), 0), coalesce(sum(open_deals), 0)
	FROM s GROUP BY GROUPING SETS ((owner_id, region, city), (region, city))"
top_stored="SELECT owner_id, region, city, account_id, name, revenue FROM crmx.region_top
	WHERE run_id = ${sums:-0}"
top_sql="SELECT owner_id, region, city, account_id, name, rev FROM (SELECT s.*, row_number()
	OVER (PARTITION BY owner_id, region, city ORDER BY rev DESC NULLS LAST, account_id) AS rn
	FROM s WHERE precise) p WHERE rn <= 5"
precise_stored="SELECT account_id, owner_id FROM crmx.precise_account WHERE run_id = ${sums:-0}"
precise_sql="SELECT account_id, owner_id FROM s WHERE precise"
check "the fixture: a region '' of two accounts, a city '', an account without an owner" \
	test "$(q "$S SELECT count(*) FILTER (WHERE region = '') >= 2 AND count(*) FILTER (WHERE city = '') >= 1
	    AND count(*) FILTER (WHERE owner_id IS NULL) >= 1 FROM s")" = t
check "... an owner's city with more than five precise customers, two of the same revenue" \
	test "$(q "$S SELECT count(*) > 0 FROM (SELECT owner_id, region, city FROM s WHERE precise
	    GROUP BY 1, 2, 3 HAVING count(*) > 5 AND count(DISTINCT rev) < count(*)) g")" = t
for t in agg top precise; do
	eval "stored=\$${t}_stored sql=\$${t}_sql"
	n=$(q "SELECT count(*) FROM ($stored) x")
	check "the run's $t rows ($n) are the server's of the same rows" \
		test "${n:-0}" -gt 0 -a "$(differ "$stored" "$sql")" = 0
done
