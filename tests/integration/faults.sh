#!/bin/sh
# A bad day in production (issue 19), on a PostgreSQL cluster of this
# test's own (it is frozen and restarted) and through nginx -> crmx.fcgi
# (four workers, no kept pages: every request reads the database) under a
# steady load of 16 connections (tests/lib/loadmix.py: the panels and a
# qualification form with its CSRF token):
#   1. PostgreSQL stalled (SIGSTOP of the postmaster and every backend):
#      answers are 503s with a message within the timeouts, never a hang
#      or a 502; after SIGCONT everything serves again;
#   2-3. PostgreSQL restarted (fast, then immediate): a bounded number of
#      503s, then all 200 again, no worker crashed;
#   4. the crmx.fcgi master SIGKILLed: no worker is left orphaned, and the
#      service starts again and serves;
#   5. crmx-reportd SIGKILLed while it makes a run: the restarted daemon
#      cleans up or resumes, the next run completes;
#   6. the report disk full (report_dir on a small tmpfs; root only): the
#      run fails with a logged message, the previous report stays served,
#      nothing half-written is published, the retry after space is freed
#      succeeds.
# Then no data is lost: every finished run, every stored form (each form
# answered 303 is there) and every mail record is still there.
# Each scenario prints what it measured; with $CRMX_FIGURES set, the
# counts go there for tests/reliability/run.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
PY=/usr/bin/python3
command -v nginx >/dev/null 2>&1 || { skip "fault tests" "nginx not installed"; exit 0; }

# ---- a cluster of our own, with the demo data ------------------------------
pg=$(mktemp -d /tmp/crmx-faults.XXXXXX)
chmod 755 "$pg"
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [ "$(id -u)" -eq 0 ]; then as_pg() { runuser -u crmx -- "$@"; }; else as_pg() { "$@"; }; fi
load_pid="" rd_pid="" frozen="" orphans_left="" mnt=""
cleanup() {
	[ -n "$frozen" ] && kill -CONT $frozen 2>/dev/null
	for p in $load_pid $rd_pid $orphans_left; do kill -9 "$p" 2>/dev/null; done
	[ -n "${tmp:-}" ] && panels_env_stop
	[ -n "$mnt" ] && umount "$mnt" 2>/dev/null
	"$top/deploy/pgctl" stop "$pg/pg" >/dev/null 2>&1
	rm -rf "$pg"
}
trap cleanup EXIT
# fsync stays off (a PostgreSQL crash keeps what the OS holds), but a
# commit waits for its WAL: with synchronous_commit off, an immediate
# stop loses commits already answered, and "no data lost" could not hold.
if ! { PG_FAST=1 "$top/deploy/pgctl" init "$pg/pg" &&
       echo "synchronous_commit = on" >>"$pg/pg/data/postgresql.conf" &&
       "$top/deploy/pgctl" start "$pg/pg"; } >"$pg/init.log" 2>&1; then
	cat "$pg/init.log"; fail "fault tests: a cluster of their own starts"; exit 0
fi
CRMX_TEST_PGHOST=$pg/pg/run
export CRMX_TEST_PGHOST
: >"$pg/admin.conf"
admin() { "$top/$O/admin/crmx-admin" --config "$pg/admin.conf" --sql-dir "$top/sql" \
	--set "database.conninfo=host=$CRMX_TEST_PGHOST dbname=crmx_demo user=crmx" "$@"; }
if ! { psql -h "$CRMX_TEST_PGHOST" -U crmx -d postgres -qc "CREATE DATABASE crmx_demo" &&
       admin adapter native && admin demo --accounts 400 --seed 42 --anchor 2026-06-30; } >"$pg/demo.log" 2>&1; then
	cat "$pg/demo.log"; fail "fault tests: demo data in their cluster"; exit 0
fi

. "$top/tests/lib/panels-env.sh"
. "$top/tests/lib/mix.sh"
stmt_ms=2000 conn_s=2
PANELS_FCGI_WORKERS=4
PANELS_FCGI_SET="fcgi.cache_mb=0 database.statement_timeout_ms=$stmt_ms database.connect_timeout_s=$conn_s"
panels_env_start t_faults || exit 0
mix_gets "$tmp/faults.list"
mix_rows "SELECT 'FORM', '/crmx/accounts/' || min(a.account_id), u.login, 303,
                 'has_need=yes&can_pay=yes&burning_issue=Under+load'
            FROM crmx_src.users u JOIN crmx_src.accounts a ON a.owner_id = u.user_id
           WHERE u.role = 'rep' GROUP BY u.login" >>"$tmp/faults.list"
probe_id=$(q "SELECT min(account_id) FROM crmx_src.accounts WHERE owner_id =
              (SELECT user_id FROM crmx_src.users WHERE login = 'rep1')")

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# load_start NAME: the load in the background (at most 120 s), 3 s of it
# before returning; its log $tmp/NAME.log
load_start() {
	rm -f "$tmp/load.stop"
	hist_start=$(q "SELECT count(*) FROM crmx.qualification_history")
	$PY "$top/tests/lib/loadmix.py" run --base "$base" --list "$tmp/faults.list" --seconds 120 \
		--until-file "$tmp/load.stop" --conns 16 --timeout 120 --log "$tmp/$1.log" \
		>"$tmp/$1.out" 2>"$tmp/$1.err" &
	load_pid=$!
	sleep 3
}
# load_wait: 5 s more load, then its end
load_wait() { sleep 5; touch "$tmp/load.stop"; wait "$load_pid"; load_pid=""; }
# kv FILE KEY: a value of loadmix's key=value output (0 when absent)
kv() { v=$(sed -n "s/^$2=//p" "$1"); echo "${v:-0}"; }
acked=0 forms_lost=""	# forms answered 303: each must be stored
load_end() {
	load_wait
	n=$(kv "$tmp/$1.out" status_303)
	stored=$(($(q "SELECT count(*) FROM crmx.qualification_history") - hist_start))
	acked=$((acked + n))
	[ "$stored" -ge "$n" ] || forms_lost="$forms_lost $1($n answered 303, $stored stored)"
	echo "faults: $1: $(tr '\n' ' ' <"$tmp/$1.out")"
}
# The CSRF token comes from a JSON page: an unanswered one makes the post a 403.
only_200_503() {
	bad=$(awk '$3 != 200 && $3 != 503 && $3 != 303 && !($3 == 403 && $4 == 303) { n++ } END { print n + 0 }' "$tmp/$1.log")
	[ "$bad" -eq 0 ] || awk '{ print $3 }' "$tmp/$1.log" | sort | uniq -c | sed 's/^/faults: statuses: /'
	[ "$bad" -eq 0 ]
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
survived=0 scenarios=0
fails() { grep -c '^fail' "$CRMX_TEST_SUMMARY"; }
scenario() { section "fault: $1"; scenarios=$((scenarios + 1)); f0=$(fails); }
scenario_end() { [ "$(fails)" -eq "$f0" ] && survived=$((survived + 1)); }
workers() { ps -o pid= --ppid "$fcgi_pid" | tr -d ' ' | sort; }

# What must not be lost.
runs0=$(q "SELECT string_agg(run_id::text, ',' ORDER BY run_id) FROM crmx.run WHERE status = 'ok'")
hist0=$(q "SELECT count(*) FROM crmx.qualification_history")
mail0=$(q "SELECT count(*) FROM crmx.mail_delivery")

# ---- 1. PostgreSQL stalled --------------------------------------------------
scenario "PostgreSQL stalled (SIGSTOP) under load"
stall=8
load_start stall
pm=$(head -n 1 "$pg/pg/data/postmaster.pid")
frozen="$pm $(ps -o pid= --ppid "$pm" | tr '\n' ' ')"
kill -STOP $frozen
t_stop=$(now)
probe=$(curl -s -m $((stmt_ms / 1000 + conn_s + 2)) -o "$tmp/probe" -w '%{http_code} %{time_total}' -u rep1:demo "$base/crmx/accounts/$probe_id.json")
t_probe=$(now)
left=$(secs "$t_probe" "$(awk -v a="$t_stop" -v s="$stall" 'BEGIN { printf "%.3f", a + s }')")
lt 0 "$left" && sleep "$left"
kill -CONT $frozen
t_cont=$(now)
frozen=""
load_end stall
$PY "$top/tests/lib/loadmix.py" window "$tmp/stall.log" "$t_stop" "$t_cont" >"$tmp/stall.win"
$PY "$top/tests/lib/loadmix.py" recovery "$tmp/stall.log" "$t_cont" >"$tmp/stall.rec"
limit=$((stmt_ms / 1000 + conn_s + 1))
echo "faults: stalled $(secs "$t_stop" "$t_cont") s: a fresh request answered ${probe% *} in ${probe#* } s;" \
     "during the stall $(kv "$tmp/stall.win" requests) answers: $(kv "$tmp/stall.win" status_503) 503s," \
     "$(kv "$tmp/stall.win" status_200) 200s, slowest $(kv "$tmp/stall.win" max_ms) ms;" \
     "all as expected again $(kv "$tmp/stall.rec" recovery_s) s after SIGCONT"
check "stalled: a request is answered 503 within the timeouts (${limit} s)" \
	sh -c "test '${probe% *}' = 503 && awk 'BEGIN { exit !(${probe#* } < $limit) }'"
check "stalled: the 503 says the database is not reachable" grep -q 'not reachable' "$tmp/probe"
check "stalled: no answer under load took longer than the timeouts" \
	lt "$(kv "$tmp/stall.out" max_ms)" "${limit}000"
check "stalled: only 200s and 503s (no 502, no dropped connection)" only_200_503 stall
check "stalled: all answered as designed within 10 s of SIGCONT" \
	sh -c "awk 'BEGIN { exit !($(kv "$tmp/stall.rec" recovery_s) < 10) }' && test $(kv "$tmp/stall.rec" answered_after) -gt 0"
scenario_end

# ---- 2-3. PostgreSQL restarted -------------------------------------------
for mode in fast immediate; do
	scenario "PostgreSQL restarted ($mode) under load"
	kids0=$(workers)
	load_start "restart_$mode"
	t0=$(now)
	as_pg "$bindir/pg_ctl" -D "$pg/pg/data" -m "$mode" -w stop >/dev/null 2>&1
	"$top/deploy/pgctl" start "$pg/pg" >/dev/null
	t1=$(now)
	load_end "restart_$mode"
	$PY "$top/tests/lib/loadmix.py" recovery "$tmp/restart_$mode.log" "$t1" >"$tmp/restart_$mode.rec"
	n503=$(kv "$tmp/restart_$mode.out" status_503)
	echo "faults: restart ($mode): down $(secs "$t0" "$t1") s; $n503 503s;" \
	     "all as expected again $(kv "$tmp/restart_$mode.rec" recovery_s) s after PostgreSQL was back"
	check "restart ($mode): only 200s and 503s" only_200_503 "restart_$mode"
	check "restart ($mode): all answered as designed within 10 s of the restart" \
		sh -c "awk 'BEGIN { exit !($(kv "$tmp/restart_$mode.rec" recovery_s) < 10) }' &&
		       test $(kv "$tmp/restart_$mode.rec" answered_after) -gt 0"
	check "restart ($mode): no worker crashed" same "$(workers)" "$kids0"
	scenario_end
done

# ---- 4. the crmx.fcgi master SIGKILLed -----------------------------------
scenario "crmx.fcgi master SIGKILLed under load"
kids=$(workers)
load_start fcgikill
kill -9 "$fcgi_pid"
wait "$fcgi_pid" 2>/dev/null
t_kill=$(now)
for i in $(seq 50); do
	alive=""
	for k in $kids; do kill -0 "$k" 2>/dev/null && alive="$alive $k"; done
	[ -z "$alive" ] && break
	sleep 0.1
done
orphans=$(echo $alive | wc -w)
check "master SIGKILLed: its $(echo $kids | wc -w) workers end with it (orphans left: $orphans)" \
	test -n "$kids" -a "$orphans" = 0
# The orphans (before the fix) are ours to end.
for k in $alive; do kill -9 "$k" 2>/dev/null; done
panels_fcgi_start
t_up=$(now)
load_end fcgikill
$PY "$top/tests/lib/loadmix.py" recovery "$tmp/fcgikill.log" "$t_up" >"$tmp/fcgikill.rec"
echo "faults: fcgi master killed: $orphans orphaned workers; restarted in $(secs "$t_kill" "$t_up") s;" \
     "all as expected again $(kv "$tmp/fcgikill.rec" recovery_s) s after the restart"
check "master SIGKILLed: the restarted service serves (all as designed within 5 s)" \
	sh -c "awk 'BEGIN { exit !($(kv "$tmp/fcgikill.rec" recovery_s) < 5) }' &&
	       test $(kv "$tmp/fcgikill.rec" answered_after) -gt 0"
check "master SIGKILLed: the new master has its workers" test "$(workers | wc -l)" = 4
scenario_end

# ---- 5. crmx-reportd SIGKILLed mid-run --------------------------------------
hport=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rd_conf() {	# rd_conf REPORT_DIR: a daemon's configuration
	cat >"$tmp/reportd.conf" <<EOF
[database]
conninfo = $ci
[reportd]
listen = 127.0.0.1:$hport
report_dir = $1
language = en, zh-CN
retry_s = 2
EOF
}
rd_start() {
	"$top/$O/reportd/crmx-reportd" --config "$tmp/reportd.conf" >>"$tmp/reportd.log" 2>&1 &
	rd_pid=$!
	for i in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$hport/healthz" && break; sleep 0.1; done
}
rd_stop() { kill "$rd_pid" 2>/dev/null; wait "$rd_pid" 2>/dev/null; rd_pid=""; }
run_req() { curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$hport/api/runs?as_of=$1"; }
served() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$hport/reports/$1/"; }
# wait_for SECONDS COMMAND...: until the command succeeds; 1 when it never did
wait_for() {
	n=$(($1 * 10)); shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}
staging_left() { ls -d "$1"/.new-* >/dev/null 2>&1; }
no_staging() { ! staging_left "$1"; }

scenario "crmx-reportd SIGKILLed mid-run"
mkdir -p "$tmp/reports"
rd_conf "$tmp/reports"
: >"$tmp/reportd.log"
rd_start
run_req 2026-07-07 >/dev/null
mid=""
for i in $(seq 1200); do
	if staging_left "$tmp/reports"; then mid="while writing the report"; break; fi
	if [ "$(q "SELECT count(*) FROM crmx.run WHERE status = 'running' AND as_of = '2026-07-07'")" = 1 ]; then
		mid="during the metrics run"; break
	fi
	sleep 0.05
done
killed=$(q "SELECT run_id FROM crmx.run WHERE as_of = '2026-07-07' ORDER BY run_id DESC LIMIT 1")
kill -9 "$rd_pid"
wait "$rd_pid" 2>/dev/null
t_kill=$(now)
check "reportd was killed mid-run (${mid:-never caught at work})" test -n "$mid"
rd_start
not_running() { test "$(q "SELECT count(*) FROM crmx.run WHERE run_id = ${killed:-0} AND status = 'running'")" = 0; }
check "after the restart the killed run ${killed:-?} is not left 'running'" wait_for 30 not_running
check "after the restart the killed report's staging folder is removed" wait_for 10 no_staging "$tmp/reports"
w28() { test -f "$tmp/reports/2026-W28/summary.json"; }
resumed=0
wait_for 30 w28 && resumed=1
check "after the restart the requested run is resumed without being asked again" test $resumed = 1
[ $resumed = 1 ] || run_req 2026-07-07 >/dev/null
check "the next run completes: the report of 2026-W28 published" wait_for 120 w28
t_done=$(now)
check "... and served" test "$(served 2026-W28)" = 200
check "runs table consistent: none left 'running', each finished run has its counts" \
	test "$(q "SELECT count(*) FROM crmx.run WHERE status = 'running'
	           OR (status = 'ok' AND (finished_at IS NULL OR row_counts IS NULL))")" = 0
echo "faults: reportd killed $mid (run $killed); resumed by itself: $resumed;" \
     "report published $(secs "$t_kill" "$t_done") s after the kill"
rd_stop
scenario_end

# ---- 6. the report disk full -------------------------------------------------
scenario "report disk full"
if [ "$(id -u)" -ne 0 ]; then
	skip "report disk full" "needs root (a tmpfs mount)"
else
	mnt=$tmp/small
	mkdir -p "$mnt"
	if ! mount -t tmpfs -o size=24m,mode=0755 crmx-faults "$mnt"; then
		mnt=""; fail "report disk full: a small tmpfs mounts"
	else
		rd_conf "$mnt"
		: >"$tmp/reportd.log"
		rd_start
		run_req 2026-06-30 >/dev/null
		w27() { test -f "$mnt/2026-W27/summary.json"; }
		w28_small() { test -f "$mnt/2026-W28/summary.json"; }
		check "disk full: first, the report of 2026-W27 on the small disk" wait_for 120 w27
		(cd "$mnt/2026-W27" && find . -type f -exec sha256sum {} + | sort) >"$tmp/w27.sum"
		dd if=/dev/zero of="$mnt/filler" bs=64k 2>/dev/null	# until the disk is full
		t_full=$(now)
		run_req 2026-07-07 >/dev/null
		failed() { grep -q 'No space left' "$tmp/reportd.log"; }
		check "disk full: the run fails with a logged message" wait_for 120 failed
		grep 'No space left' "$tmp/reportd.log" | head -n 2 | sed 's/^/faults: /'
		check "disk full: the message is readable (no ???)" absent -F '???' "$tmp/reportd.log"
		check "disk full: the previous report is still served" test "$(served 2026-W27)" = 200
		check "disk full: ... unchanged" sh -c "cd '$mnt/2026-W27' && find . -type f -exec sha256sum {} + | sort | cmp -s - '$tmp/w27.sum'"
		check "disk full: nothing half-written published (no 2026-W28, no staging left)" \
			sh -c "test ! -e '$mnt/2026-W28' && ! ls -d '$mnt'/.new-* >/dev/null 2>&1"
		rm -f "$mnt/filler"
		t_free=$(now)
		if wait_for 120 w28_small; then
			pass "space freed: the retry publishes the report of 2026-W28"
		else
			fail "space freed: the retry publishes the report of 2026-W28"
			tail -n 20 "$tmp/reportd.log" | sed 's/^/faults: reportd: /'
			q "SELECT id, as_of, status, attempts, next_try_at, now(), last_error FROM crmx.run_request
			   ORDER BY id" | sed 's/^/faults: run_request: /'
			curl -s "http://127.0.0.1:$hport/healthz" | sed 's/^/faults: healthz: /'
		fi
		t_ok=$(now)
		check "space freed: 2026-W28 served" test "$(served 2026-W28)" = 200
		echo "faults: disk full: failed cleanly; published $(secs "$t_free" "$t_ok") s after space was freed" \
		     "($(grep -c 'No space left' "$tmp/reportd.log") failures logged in $(secs "$t_full" "$t_free") s)"
		rd_stop
		umount "$mnt" && mnt=""
	fi
fi
scenario_end

# ---- no data lost -------------------------------------------------------------
section "fault: data after the faults"
runs1=$(q "SELECT string_agg(run_id::text, ',' ORDER BY run_id) FROM crmx.run
           WHERE status = 'ok' AND run_id <= ${runs0##*,}")
hist1=$(q "SELECT count(*) FROM crmx.qualification_history")
mail1=$(q "SELECT count(*) FROM crmx.mail_delivery")
lost=""
[ -n "$runs0" ] && [ "$runs1" = "$runs0" ] || lost="$lost runs(${runs0:-none} -> ${runs1:-none})"
[ -n "$hist1" ] && [ -n "$mail1" ] || lost="$lost (the counts after the faults could not be read)"
[ "$((hist1 - hist0))" -ge "$acked" ] || lost="$lost forms($acked answered 303, $((hist1 - hist0)) stored:$forms_lost)"
[ "$mail1" -ge "$mail0" ] || lost="$lost mail($mail0 -> $mail1)"
echo "faults: $acked forms answered 303 under the faults, $((hist1 - hist0)) stored; finished runs kept: $runs1"
check "no data lost:${lost:- every finished run and every saved form is there}" test -z "$lost"
echo "faults: survived $survived of $scenarios"
if [ -n "${CRMX_FIGURES:-}" ]; then
	{ echo "faults_survived $survived"; echo "faults_total $scenarios"
	  echo "data_lost ${lost:-none}"; } >>"$CRMX_FIGURES"
fi
exit 0
