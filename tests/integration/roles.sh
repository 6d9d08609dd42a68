#!/bin/sh
# Least privilege: `crmx-admin roles` on a copy of the demo database, then
# crmx-reportd connected as its role (a run, its report, pruning old runs)
# and crmx.fcgi behind nginx as the panels' role (every panel, both forms,
# the change feed of a write by a CRM role that cannot see crmx's
# schemas), each under exactly the rights the command gave; and what each
# role must not do, refused by PostgreSQL.  Also: the command is
# idempotent, --print changes nothing, a role that may do more is refused,
# and `adapter` and `migrate` (which remake views) keep the rights.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "least privilege through nginx" "nginx not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
admin=$top/$O/admin/crmx-admin
reportd=$top/$O/reportd/crmx-reportd
P=t_roles_panels R=t_roles_reportd C=t_roles_crm
db=t_roles
stop() {
	panels_env_stop	# nginx, crmx.fcgi, the database, $tmp
	for r in $P $R $C t_roles_p2 t_roles_r2; do
		psql -h "$host" -U crmx -d crmx -X -qc "DROP ROLE IF EXISTS $r" 2>/dev/null
	done
}
trap stop EXIT
psql -h "$host" -U crmx -d crmx -X -qc "DROP DATABASE IF EXISTS $db" 2>/dev/null
psql -h "$host" -U crmx -d crmx -X -qc "CREATE DATABASE $db TEMPLATE crmx_demo" ||
	{ fail "a copy of the demo database"; exit 0; }
a() { "$admin" --set "database.conninfo=host=$host dbname=$db user=crmx" --sql-dir "$top/sql" "$@"; }
# as ROLE SQL: the statement as that role (stdout, stderr in $tmp/err), in
# $adb when set
as() { psql -h "$host" -U "$1" -d "${adb:-$db}" -X -Atq -v ON_ERROR_STOP=1 -c "$2" 2>"$tmp/err"; }
# denied ROLE SQL: PostgreSQL refuses the statement for lack of a right
# (a privilege, or ownership)
denied() {
	if as "$1" "$2" >/dev/null; then
		echo "    $1 was allowed: $2"
		return 1
	fi
	grep -q 'permission denied\|must be owner' "$tmp/err" || { sed 's/^/    /' "$tmp/err"; return 1; }
}
# grants: every right granted to the two roles in the database, one a line
grants() {
	q "SELECT c.oid::regclass::text || ' ' || a.privilege_type || ' ' || a.grantee::regrole::text
	     FROM pg_class c, aclexplode(c.relacl) a
	    WHERE a.grantee IN ('$P'::regrole, '$R'::regrole)
	   UNION ALL
	   SELECT p.oid::regprocedure::text || ' ' || a.privilege_type || ' ' || a.grantee::regrole::text
	     FROM pg_proc p, aclexplode(p.proacl) a
	    WHERE a.grantee IN ('$P'::regrole, '$R'::regrole)
	   UNION ALL
	   SELECT n.nspname || ' ' || a.privilege_type || ' ' || a.grantee::regrole::text
	     FROM pg_namespace n, aclexplode(n.nspacl) a
	    WHERE a.grantee IN ('$P'::regrole, '$R'::regrole)
	   ORDER BY 1"
}

# --- the command ---------------------------------------------------------------
printf '# the two roles\n%s:panels-secret\n%s:reportd:secret\n' "$P" "$R" >"$tmp/passwords"
chmod 600 "$tmp/passwords"
printf 't_roles_p2:p2-secret\nt_roles_r2:r2-secret\n' >"$tmp/passwords2"
chmod 644 "$tmp/passwords2"
a roles --print --panels-role t_roles_p2 --reportd-role t_roles_r2 --password-file "$tmp/passwords2" \
	>"$tmp/print.sql" 2>"$tmp/err"
check "a password file others may read: refused (exit 2)" test $? = 2
check "... saying so" grep -q 'others may read it' "$tmp/err"
chmod 600 "$tmp/passwords2"
a roles --print --panels-role t_roles_p2 --reportd-role t_roles_r2 --password-file "$tmp/passwords2" \
	>"$tmp/print.sql" 2>"$tmp/err"
check "--print prints the script" grep -q 'CREATE ROLE "t_roles_p2" LOGIN;' "$tmp/print.sql"
check "... with its grants" grep -q '^GRANT SELECT ON ALL TABLES IN SCHEMA crmx_src TO "t_roles_r2";' "$tmp/print.sql"
check "... the passwords hashed" grep -q "^ALTER ROLE \"t_roles_p2\" PASSWORD 'SCRAM-SHA-256" "$tmp/print.sql"
check "... not in the clear" absent secret "$tmp/print.sql"
check "... and changes nothing" test "$(q "SELECT count(*) FROM pg_roles WHERE rolname IN ('t_roles_p2', 't_roles_r2')")" = 0
check "roles: exit 0" a roles --panels-role $P --reportd-role $R --password-file "$tmp/passwords" 2>"$tmp/err"
check "the roles log in and do nothing else (no superuser, CREATEROLE, ...)" test "$(q "SELECT count(*) FROM pg_roles
      WHERE rolname IN ('$P', '$R') AND rolcanlogin AND NOT (rolsuper OR rolcreaterole
      OR rolcreatedb OR rolreplication OR rolbypassrls)")" = 2
check "passwords from the file, stored hashed" test "$(q "SELECT count(*) FROM pg_authid
      WHERE rolname IN ('$P', '$R') AND rolpassword LIKE 'SCRAM-SHA-256\$%'")" = 2
grants >"$tmp/grants1"
check "rights granted ($(wc -l <"$tmp/grants1") in all)" test "$(wc -l <"$tmp/grants1")" -gt 20
check "run again: exit 0" a roles --panels-role $P --reportd-role $R 2>"$tmp/err"
grants >"$tmp/grants2"
check "... the same rights" cmp -s "$tmp/grants1" "$tmp/grants2"
q "GRANT UPDATE ON crmx_native.accounts TO $P; GRANT USAGE ON SCHEMA crmx_native TO $P;
   REVOKE INSERT ON crmx.deal_review FROM $P"
a roles --panels-role $P --reportd-role $R 2>/dev/null
grants >"$tmp/grants3"
check "a right given by hand is taken back, a missing one given again" cmp -s "$tmp/grants1" "$tmp/grants3"
a roles --panels-role crmx --reportd-role $R >"$tmp/out" 2>"$tmp/err"
check "the owner as the panels' role: refused (exit 1)" test $? = 1
check "... saying why" grep -q 'may do more than crmx grants it' "$tmp/err"
q "CREATE ROLE t_roles_r2 LOGIN CREATEROLE"
a roles --panels-role $P --reportd-role t_roles_r2 >"$tmp/out" 2>&1
check "a role with CREATEROLE: refused" test $? = 1
grants >"$tmp/grants4"
check "... and nothing changed" cmp -s "$tmp/grants1" "$tmp/grants4"
a roles --panels-role 'Robert"; DROP TABLE x' >"$tmp/out" 2>&1
check "a name that is not a plain SQL name: exit 2" test $? = 2

# --- crmx-reportd as its role -------------------------------------------------------
q "CREATE ROLE $C LOGIN"
rd() { "$reportd" --set "database.conninfo=host=$host dbname=$db user=$R" --set reportd.language=en "$@"; }
out=$(rd --set reportd.report_dir="$tmp/reports" --run-once --report --as-of 2026-06-23 2>"$tmp/run.log")
check "a run as $R: exit 0" test $? = 0
check "... its report written" test -s "$tmp/reports/2026-W26/index.html" -a "$out" = "$tmp/reports/2026-W26"
check "... the run ok with its account metrics" test "$(q "SELECT status, (SELECT count(*) FROM crmx.latest_account_metrics)
      FROM crmx.run WHERE run_id = (SELECT max(run_id) FROM crmx.run)")" = "ok|400"
first=$(q "SELECT max(run_id) FROM crmx.run")
# Twelve runs more than reportd keeps whole: the next run deletes the
# oldest failed one and drops the oldest ok run's partition through
# crmx.drop_run_accounts() (its small tables stay for two years).
q "INSERT INTO crmx.run (as_of, window_start, window_end, status)
   SELECT '2026-01-01', '2025-01-01', '2026-01-02', 'failed' FROM generate_series(1, 12)" >/dev/null
check "the run has its partition" test "$(q "SELECT to_regclass('crmx.account_metrics_${first:-0}') IS NOT NULL")" = t
check "... analyzed in the run, its indexes planned with (issue 16: 400 rows counted)" \
	test "$(q "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass('crmx.account_metrics_${first:-0}')")" = 400
rd --run-once --as-of 2026-06-30 >/dev/null 2>"$tmp/run2.log"
check "a second run as $R: ok" test "$(q "SELECT status FROM crmx.run WHERE run_id = (SELECT max(run_id) FROM crmx.run)")" = ok
check "... the oldest failed run pruned (13 kept)" test "$(q "SELECT count(*) FROM crmx.run")" = 13
check "... the oldest run's partition dropped" test -n "$first" -a "$(q "SELECT to_regclass('crmx.account_metrics_${first:-0}') IS NULL")" = t
check "... its small tables kept (2 years)" test "$(q "SELECT count(*) > 0 FROM crmx.owner_metrics WHERE run_id = ${first:-0}")" = t
check "no permission error in reportd's log" absent -i 'permission denied' "$tmp/run.log" "$tmp/run2.log"
# With one connection allowed to its role, a run is made as on two (it
# reads on one, and makes the regions' sums itself, 0054): the same sums.
two_conn=$(q "SELECT max(run_id) FROM crmx.run WHERE status = 'ok'")
q "ALTER ROLE $R CONNECTION LIMIT 1" >/dev/null
rd --set log.level=debug --run-once --as-of 2026-06-30 >/dev/null 2>"$tmp/one_conn.log"
st=$?
q "ALTER ROLE $R CONNECTION LIMIT -1" >/dev/null
one_conn=$(q "SELECT max(run_id) FROM crmx.run WHERE status = 'ok'")
check "a run with one connection allowed: exit 0 ($st), run ${one_conn:-none} after ${two_conn:-none}" \
	test "$st" = 0 -a "${one_conn:-0}" -gt "${two_conn:-0}"
for t in region_agg region_top closed_agg; do
	n=$(q "SELECT count(*) FROM crmx.$t WHERE run_id = ${one_conn:-0}")
	check "... the same $t as the run before ($n rows)" \
		test "${n:-0}" -gt 0 -a "$(run_rows_differ $t "$two_conn" "$one_conn")" = 0
done
# (only the latest run keeps its precise customers: counted against its sums)
n=$(q "SELECT count(*) FROM crmx.precise_account WHERE run_id = ${one_conn:-0}")
check "... its precise customers ($n), as many as its regions' sums count" test "${n:-0}" -gt 0 -a \
	"$n" = "$(q "SELECT sum(precise) FROM crmx.region_agg WHERE run_id = ${one_conn:-0} AND whole")"
# The regions' sums not writable (reportd's role may not insert into
# crmx.region_agg): the run fails with the server's reason and leaves
# nothing behind (crmx.discard_run): no table, no precise customers, no
# sums of it.
q "REVOKE INSERT ON crmx.region_agg FROM $R" >/dev/null
rd --run-once --as-of 2026-06-30 >/dev/null 2>"$tmp/nosums.log"
st=$?
failed=$(q "SELECT max(run_id) FROM crmx.run WHERE status = 'failed'")
check "the regions' sums not writable: the run fails (exit $st)" test "$st" != 0
check "... with the server's reason" \
	grep -q "run [0-9]* failed: storing the accounts' results: .*permission denied for table region_agg" \
	"$tmp/nosums.log"
check "... and leaves no table nor rows (run ${failed:-none})" \
	test -n "$failed" -a "$(q "SELECT to_regclass('crmx.account_metrics_$failed') IS NULL
	  AND NOT EXISTS (SELECT 1 FROM crmx.precise_account WHERE run_id = $failed)
	  AND NOT EXISTS (SELECT 1 FROM crmx.region_agg WHERE run_id = $failed)")" = t
q "GRANT INSERT ON crmx.region_agg TO $R" >/dev/null
# A deleted run's panels' sums go with it (0046: a trigger on crmx.run
# where each table had a foreign key), deleted by reportd's role as its
# pruning deletes: the latest run's rows counted in each of the six
# tables, then the run deleted under reportd's role (SET ROLE: it may not
# read those tables) and the rows counted again, in one transaction
# rolled back.
latest=$(q "SELECT max(run_id) FROM crmx.run WHERE status = 'ok'")
sums_count() {
	sep=
	for t in pipeline_agg closed_agg region_agg region_top open_deal precise_account; do
		printf '%sSELECT count(*) FROM crmx.%s WHERE run_id = %s' "$sep" "$t" "${latest:-0}"
		sep=' UNION ALL '
	done
	echo ';'
}
{
	echo 'BEGIN;'
	sums_count
	echo "SET ROLE $R;"
	echo "DELETE FROM crmx.run WHERE run_id = ${latest:-0};"
	echo 'RESET ROLE;'
	sums_count
	echo 'ROLLBACK;'
} >"$tmp/sums_gone.sql"
psql -h "$host" -U crmx -d "$db" -X -Atq -v ON_ERROR_STOP=1 -f "$tmp/sums_gone.sql" \
	>"$tmp/sums_gone.out" 2>"$tmp/err"
sed 's/^/    /' "$tmp/err"
check "the latest run has rows in each of the panels' sums tables" \
	test "$(head -6 "$tmp/sums_gone.out" | grep -c '^[1-9]')" = 6
check "... none once $R deletes the run (run $latest)" \
	test "$(sed -n 7,12p "$tmp/sums_gone.out" | tr '\n' ' ')" = "0 0 0 0 0 0 "
check "... and the run is there again (rolled back)" \
	test "$(q "SELECT count(*) FROM crmx.run WHERE run_id = ${latest:-0}")" = 1
# No run-keyed row of crmx outlives its run, in any table.
orphans() {
	q "SELECT c.oid::regclass FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
	    WHERE c.relnamespace = 'crmx'::regnamespace AND c.relkind IN ('r', 'p')
	      AND a.attname = 'run_id' AND NOT a.attisdropped AND c.relname <> 'run'
	      AND NOT c.relispartition" | while read -r t; do
		echo "$t $(q "SELECT count(*) FROM $t x WHERE NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = x.run_id)")"
	done >"$tmp/orphans"
	[ "$(wc -l <"$tmp/orphans")" -ge 10 ] && ! grep -v ' 0$' "$tmp/orphans"
}
check "no row of a run-keyed table without its run (each table counted)" orphans
# The requested runs' queue (POST /api/runs) as reportd's statements use it.
rq=$(as $R "INSERT INTO crmx.run_request (as_of, requested_by) VALUES ('2026-06-30', '127.0.0.1') RETURNING id")
check "reportd's role records a requested run (id ${rq:-none})" test -n "$rq"
check "... and marks it done" test "$(as $R "UPDATE crmx.run_request SET status = 'done', attempts = attempts + 1
      WHERE id = ${rq:-0} AND status = 'pending' RETURNING status")" = done
check "the panels' role cannot request a run" denied $P "INSERT INTO crmx.run_request (as_of) VALUES ('2026-06-30')"
kept=$(q "SELECT max(run_id) FROM crmx.run WHERE status = 'ok'")

# --- crmx.fcgi as the panels' role -----------------------------------------------
hash=$(openssl passwd -apr1 demo)
q "SELECT login FROM crmx_src.users" | sed "s|\$|:$hash|" >"$tmp/htpasswd"
chmod 644 "$tmp/htpasswd"
port=$(free_port)
"$top/deploy/nginx-conf.sh" panels "$tmp" "$port" "$tmp/fcgi.sock" "$tmp/htpasswd"
"$top/$O/fcgi/crmx.fcgi" --set "database.conninfo=host=$host dbname=$db user=$P" \
	--set "fcgi.listen=$tmp/fcgi.sock" --set "fcgi.socket_group=$("$top/deploy/nginx-group")" --set fcgi.workers=2 --set fcgi.body_max=4096 \
	--set fcgi.search_walk_min=0 2>"$tmp/fcgi.log" &
fcgi_pid=$!
wait_for 20 test -S "$tmp/fcgi.sock" || { fail "crmx.fcgi listens as $P"; cat "$tmp/fcgi.log"; exit 0; }
nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/logs/error.log" || { fail "nginx starts"; exit 0; }
base=http://127.0.0.1:$port

rep=$(q "SELECT login FROM crmx_src.users WHERE role = 'rep' ORDER BY user_id LIMIT 1")
rep_id=$(q "SELECT user_id FROM crmx_src.users WHERE login = '$rep'")
mgr=$(q "SELECT m.login FROM crmx_src.users m JOIN crmx_src.users r ON r.team = m.team
         WHERE m.role = 'manager' AND r.user_id = $rep_id LIMIT 1")
mine=$(q "SELECT account_id FROM crmx_src.accounts WHERE owner_id = $rep_id ORDER BY account_id LIMIT 1")
deal=$(q "SELECT opportunity_id FROM crmx_src.opportunities WHERE owner_id = $rep_id
          AND outcome = 'open' ORDER BY opportunity_id LIMIT 1")
failed=""
n=0
for u in "$rep" "$mgr" exec; do
	# a search the run's index is walked for (search_walk_min = 0)
	for p in /crmx/accounts /crmx/accounts.json "/crmx/accounts/$mine" /crmx/regions \
	         /crmx/pipeline "/crmx/pipeline.json" "/crmx/deals/$deal" "/crmx/accounts.json?q=a" \
	         /crmx/team; do
		st=$(get "$u" "$p")
		n=$((n + 1))
		want=200
		[ "$u:$p" = "$rep:/crmx/team" ] && want=403	# the team view is not a rep's
		[ "$st" = "$want" ] || failed="$failed $u:$p=$st"
	done
done
check "every panel as $P: 200, the team view a rep's 403 ($n pages; failed:$failed)" test -z "$failed" -a "$n" = 27
get "$rep" "/crmx/accounts/$mine.json" >/dev/null
check "the account panel shows the metrics of reportd's latest run" test "$(json 'j["metrics"]["as_of"]')" = 2026-06-30
get "$rep" "/crmx/accounts/$mine" >/dev/null
token() { sed -n 's/.*name="csrf" value="\([0-9a-f.]*\)".*/\1/p' "$tmp/body" | head -n 1; }
post() {
	curl -s -o "$tmp/body" -D "$tmp/head" -w '%{http_code}' -u "$1:demo" \
	     -H 'Content-Type: application/x-www-form-urlencoded' --data-raw "$3" "$base$2"
}
tok=$(token)
st=$(post "$rep" "/crmx/accounts/$mine" "has_need=yes&can_pay=no&has_authority=yes&burning_issue=Least+privilege&csrf=$tok")
check "qualification form saved: 303" test "$st" = 303
check "... stored with its history" test "$(q "SELECT q.burning_issue, q.updated_by, count(h.*) > 0
      FROM crmx.qualification q JOIN crmx.qualification_history h USING (account_id)
      WHERE q.account_id = $mine AND h.burning_issue = 'Least privilege'
      GROUP BY 1, 2")" = "Least privilege|$rep|t"
get "$rep" "/crmx/deals/$deal" >/dev/null
tok=$(token)
st=$(post "$rep" "/crmx/deals/$deal" "step=judged&evidence=Signed+NDA&action=Demo&plan=Trial&csrf=$tok")
check "deal review saved: 303" test "$st" = 303
check "... stored" test "$(q "SELECT count(*) FROM crmx.deal_review WHERE opportunity_id = $deal
      AND evidence = 'Signed NDA' AND created_by = '$rep'")" = 1

# The change feed: a CRM role that may write the account and nothing of
# crmx's renames it; the definer trigger tells crmx.fcgi, whose workers
# (as $P) drop the pages they kept.
q "GRANT USAGE ON SCHEMA crmx_native TO $C; GRANT SELECT, UPDATE ON crmx_native.accounts TO $C"
cache_state() { sed -n 's/^X-Crmx-Cache: \([a-z]*\).*/\1/ip' "$tmp/head" | tr -d '\r'; }
warm() {
	for i in $(seq 1 12); do
		get "$rep" "/crmx/accounts/$mine" >/dev/null
		[ "$(cache_state)" = hit ] && return 0
	done
	return 1
}
check "the account page is kept by the workers" warm
check "the CRM role cannot read crmx" denied $C "SELECT count(*) FROM crmx.qualification"
as $C "UPDATE crmx_native.accounts SET name = 'Renamed by the CRM role' WHERE account_id = $mine"
check "... but renames the account" test $? = 0
# every: requests (six at least) until each worker answered one, each
# page with the new name
renamed() {
	get "$rep" "/crmx/accounts/$mine" >/dev/null
	grep -q 'Renamed by the CRM role' "$tmp/body"
}
every() { each_worker 6 "$fcgi_pid" renamed; }
check "the change shows in every worker" every

# --- what each role must not do ----------------------------------------------------
check "$P reads crmx_src (the control)" test "$(as $P "SELECT count(*) FROM crmx_src.accounts")" = 400
check "$P: UPDATE a CRM table under crmx_src refused" denied $P "UPDATE crmx_native.accounts SET name = 'x'"
check "$P: UPDATE through a crmx_src view refused" denied $P "UPDATE crmx_src.accounts SET name = 'x'"
check "$P: DELETE a CRM table refused" denied $P "DELETE FROM crmx_native.revenue"
check "$P: UPDATE account metrics refused" denied $P "UPDATE crmx.account_metrics SET p_alive = 1"
check "$P: UPDATE owner metrics refused" denied $P "UPDATE crmx.owner_metrics SET revenue = 0"
check "$P: INSERT into runs refused" denied $P "INSERT INTO crmx.run (as_of, window_start, window_end) VALUES ('2026-07-01', '2025-07-01', '2026-07-02')"
check "$P: DELETE runs refused" denied $P "DELETE FROM crmx.run"
check "$P: mail deliveries refused" denied $P "UPDATE crmx.mail_delivery SET status = 'sent'"
check "$P: settings refused" denied $P "UPDATE crmx.settings SET value = 'x'"
check "$P: a run's partition refused" denied $P "SELECT crmx.add_run_partition($kept)"
check "$P: a table in crmx refused" denied $P "CREATE TABLE crmx.t_mine (x int)"
check "$R reads crmx_src (the control)" test "$(as $R "SELECT count(*) FROM crmx_src.opportunities")" = 400
check "$R: UPDATE a CRM table refused" denied $R "UPDATE crmx_native.opportunities SET amount = 0"
check "$R: INSERT into a CRM table refused" denied $R "INSERT INTO crmx_native.revenue (account_id, booked_at, amount) VALUES ($mine, '2026-06-01', 1)"
check "$R: UPDATE through a crmx_src view refused" denied $R "UPDATE crmx_src.revenue SET amount = 0"
check "$R: the qualification form's table refused" denied $R "UPDATE crmx.qualification SET has_need = false"
check "$R: its history refused" denied $R "INSERT INTO crmx.qualification_history (account_id, updated_by) VALUES ($mine, 'x')"
check "$R: deal reviews refused" denied $R "INSERT INTO crmx.deal_review (opportunity_id, step_completed, evidence, action, plan, created_by) VALUES ($deal, 's', 'e', 'a', 'p', 'x')"
check "$R: a table in crmx refused" denied $R "CREATE TABLE crmx.t_mine (x int)"
check "$R: dropping a partition refused" denied $R "DROP TABLE crmx.account_metrics_$kept"
as $R "SELECT crmx.drop_run_partition($kept)" >/dev/null
check "$R: the function drops no kept run's partition" grep -q 'is still kept' "$tmp/err"

# --- the rights survive what remakes views ---------------------------------------
a adapter native >/dev/null 2>&1
check "after \`adapter native\` (crmx_src made anew), $P still reads it" test "$(as $P "SELECT count(*) FROM crmx_src.accounts")" = 400
check "... and the panels render" test "$(get "$rep" "/crmx/accounts/$mine")" = 200
grants >"$tmp/grants5"
check "... with the same rights" cmp -s "$tmp/grants1" "$tmp/grants5"
mkdir -p "$tmp/sql"
cp -r "$top/sql/adapters" "$top/sql/migrations" "$tmp/sql/"
# the view of the latest run the panels read, and the views on it, made anew
q "SELECT 'DROP VIEW crmx.latest_run CASCADE;'
   UNION ALL SELECT format('CREATE VIEW crmx.%I AS %s', c.relname, pg_get_viewdef(c.oid))
   FROM pg_class c WHERE c.relnamespace = 'crmx'::regnamespace AND c.relkind = 'v'
   AND c.relname LIKE 'latest%' ORDER BY 1 DESC" >"$tmp/remake.sql"
view_before=$(q "SELECT 'crmx.latest_run'::regclass::oid")
{
	grep '^DROP' "$tmp/remake.sql"
	awk '/^CREATE VIEW crmx.latest_run AS/ { p = 1 } /^CREATE VIEW/ && !/crmx.latest_run AS/ { p = 0 } p' "$tmp/remake.sql"
	awk '/^CREATE VIEW/ { p = !/crmx.latest_run AS/ } p' "$tmp/remake.sql"
} >"$tmp/sql/migrations/9001_t_roles.sql"
check "the migration remakes the latest run's view" grep -q '^CREATE VIEW crmx.latest_run AS' "$tmp/sql/migrations/9001_t_roles.sql"
"$admin" --set "database.conninfo=host=$host dbname=$db user=crmx" --sql-dir "$tmp/sql" migrate >/dev/null 2>&1
check "... made anew by \`migrate\`" test "$(q "SELECT 'crmx.latest_run'::regclass::oid")" != "$view_before"
check "after a migration that remakes a view, $P still reads it" test "$(as $P "SELECT count(*) FROM crmx.latest_run")" = 1
check "... and the pipeline renders" test "$(get "$rep" /crmx/pipeline)" = 200
check "no permission error in crmx.fcgi's log" absent -i 'permission denied' "$tmp/fcgi.log"
check "no sanitizer report in the programs' logs" absent 'Sanitizer\|runtime error' "$tmp/fcgi.log" "$tmp/run.log" "$tmp/run2.log"

# A release whose panels read other tables: `migrate` with nothing to apply
# grants them what they need (taken away here, as an older release had it).
# Pages not read before: none is kept.
q "REVOKE SELECT ON crmx.owner_metrics, crmx.funnel_metrics FROM $P"
check "without its rights on the run's tables, the pipeline fails" \
	test "$(get "$rep" '/crmx/pipeline?sort=amount')" = 500
"$admin" --set "database.conninfo=host=$host dbname=$db user=crmx" --sql-dir "$tmp/sql" migrate >"$tmp/migrate.out" 2>&1
check "\`migrate\` with nothing to apply grants them again" \
	test "$(get "$rep" '/crmx/pipeline?sort=days')" = 200

# --- Tryton: sessions checked without the right to read them ---------------------
if [ "$(q "SELECT count(*) FROM pg_database WHERE datname = 'crmx_tryton'")" = 1 ]; then
	adb=t_roles_tryton
	tq() { psql -h "$host" -U crmx -d "$adb" -X -Atqc "$1"; }
	psql -h "$host" -U crmx -d crmx -X -qc "DROP DATABASE IF EXISTS $adb" 2>/dev/null
	psql -h "$host" -U crmx -d crmx -X -qc "CREATE DATABASE $adb TEMPLATE crmx_tryton"
	"$admin" --set "database.conninfo=host=$host dbname=$adb user=crmx" --sql-dir "$top/sql" \
		roles --panels-role $P --reportd-role $R >/dev/null 2>&1
	check "Tryton: roles, exit 0" test $? = 0
	uid=$(tq "SELECT id FROM res_user WHERE login = 'alice'")
	tq "INSERT INTO ir_session (key, create_uid, create_date)
	    VALUES ('t-roles-key', ${uid:-0}, now() AT TIME ZONE 'UTC')" >/dev/null
	hdr="Session $(printf 'alice:%s:t-roles-key' "$uid" | base64 -w0)"
	check "Tryton: the panels' role recognises a session" test "$(as $P "SELECT crmx_src.session_login('$hdr')")" = alice
	check "... and no other key" test "$(as $P "SELECT coalesce(crmx_src.session_login('Session $(printf 'alice:%s:other' "$uid" | base64 -w0)'), 'none')")" = none
	check "... reads the crmx_src views" test "$(as $P "SELECT count(*) > 0 FROM crmx_src.opportunities")" = t
	check "... but not ir_session" denied $P "SELECT key FROM ir_session"
	check "... nor writes Tryton's deals" denied $P "UPDATE sale_opportunity SET id = id"
	check "Tryton: reportd's role reads the crmx_src views" test "$(as $R "SELECT count(*) > 0 FROM crmx_src.revenue")" = t
	check "... but writes no Tryton table" denied $R "UPDATE sale_opportunity SET id = id"
	psql -h "$host" -U crmx -d crmx -X -qc "DROP DATABASE IF EXISTS $adb" 2>/dev/null
	adb=""
else
	skip "Tryton: sessions under the panels' role" "no Tryton database (CRMX_ONLY without tryton)"
fi

# --- Odoo (its tables' fixture): the same rights -----------------------------------
if [ "$(q "SELECT count(*) FROM pg_database WHERE datname = 'crmx_odoo'")" = 1 ]; then
	adb=t_roles_odoo
	psql -h "$host" -U crmx -d crmx -X -qc "DROP DATABASE IF EXISTS $adb" 2>/dev/null
	psql -h "$host" -U crmx -d crmx -X -qc "CREATE DATABASE $adb TEMPLATE crmx_odoo"
	"$admin" --set "database.conninfo=host=$host dbname=$adb user=crmx" --sql-dir "$top/sql" \
		roles --panels-role $P --reportd-role $R >/dev/null 2>&1
	check "Odoo: roles, exit 0" test $? = 0
	check "Odoo: the panels' role reads every crmx_src view" as $P "SELECT (SELECT count(*) FROM crmx_src.users),
	      (SELECT count(*) FROM crmx_src.accounts), (SELECT count(*) FROM crmx_src.contacts),
	      (SELECT count(*) FROM crmx_src.opportunities), (SELECT count(*) FROM crmx_src.stage_history),
	      (SELECT count(*) FROM crmx_src.revenue), (SELECT count(*) FROM crmx_src.stages)"
	check "... but not Odoo's tables" denied $P "SELECT count(*) FROM res_partner"
	check "Odoo: reportd's role writes no Odoo table" denied $R "UPDATE crm_lead SET id = id"
	psql -h "$host" -U crmx -d crmx -X -qc "DROP DATABASE IF EXISTS $adb" 2>/dev/null
	adb=""
else
	skip "Odoo: the same rights" "no Odoo fixture database"
fi
