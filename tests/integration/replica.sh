#!/bin/sh
# Scale-out on loopback (issue 16): a primary and a streaming replica made
# with pg_basebackup in this test's folder, two crmx.fcgi instances (each
# with its own workers and cache, one csrf_secret) reading on the replica,
# behind one nginx upstream (and one nginx per instance, to ask a given
# host), and two reportd instances on the pair.  Shows: a change is never
# served stale from a cache while the replica has not replayed it (replay
# paused), and shows on every host; a form posted on one host shows on the
# next request to the other; replica stopped -> the primary, then back;
# primary stopped -> pages read on the replica, forms 503 with a message,
# nothing lost; two reportd compute one run and send one mail.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "replica and two panel hosts" "nginx not installed"; exit 0; }
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
tmp=$(mktemp -d)
chmod 755 "$tmp"
if [ "$(id -u)" -eq 0 ]; then
	as() { runuser -u crmx -- "$@"; }
else
	as() { "$@"; }
fi
pids=""
cleanup() {
	for n in lb a b; do [ -f "$tmp/$n/nginx.pid" ] && kill "$(cat "$tmp/$n/nginx.pid")" 2>/dev/null; done
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.3
	"$top/deploy/pgctl" stop "$tmp/r" >/dev/null 2>&1
	"$top/deploy/pgctl" stop "$tmp/p" >/dev/null 2>&1
	[ -n "${KEEP_TMP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

# --- the primary, with the demo data and a metrics run ---------------------
pci="host=$tmp/p/run dbname=crmx user=crmx"
rci="host=$tmp/r/run dbname=crmx user=crmx"
qp() { psql -d "$pci" -X -Atqc "$1"; }
qr() { psql -d "$rci" -X -Atqc "$1"; }
admin() { "$top/$O/admin/crmx-admin" --config "${CRMX_TEST_CONF:-/dev/null}" --sql-dir "$top/sql" \
	--set "database.conninfo=$pci" "$@"; }
if ! { PG_FAST=1 "$top/deploy/pgctl" init "$tmp/p" && "$top/deploy/pgctl" start "$tmp/p" &&
       admin adapter native && admin demo --accounts 200 --seed 42 --anchor 2026-06-30 &&
       "$top/$O/reportd/crmx-reportd" --set "database.conninfo=$pci" --run-once \
           --as-of 2026-06-30; } >"$tmp/setup.log" 2>&1; then
	fail "a primary with the demo data"; cat "$tmp/setup.log"; exit 0
fi
pass "a primary with the demo data and a metrics run"

# --- the replica: pg_basebackup -R, its own socket folder -------------------
mkdir -p "$tmp/r/run"
[ "$(id -u)" -ne 0 ] || chown crmx: "$tmp/r" "$tmp/r/run"
if ! { as "$bindir/pg_basebackup" -h "$tmp/p/run" -U crmx -D "$tmp/r/data" -R -X stream -c fast &&
       sed -i "s|^unix_socket_directories = .*|unix_socket_directories = '$tmp/r/run'|" \
           "$tmp/r/data/postgresql.conf" &&
       printf 'wal_retrieve_retry_interval = 500ms\n' >>"$tmp/r/data/postgresql.conf" &&
       "$top/deploy/pgctl" start "$tmp/r"; } >"$tmp/replica.log" 2>&1; then
	fail "a streaming replica made with pg_basebackup"; cat "$tmp/replica.log"; exit 0
fi
check "the replica is a hot standby" same "$(qr "SELECT pg_is_in_recovery()")" t
check "the replica streams from the primary" \
	same "$(qp "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" 1

# --- two panel hosts behind one upstream -----------------------------------
rep=$(qp "SELECT login FROM crmx_src.users WHERE role = 'rep' ORDER BY user_id LIMIT 1")
rep_id=$(qp "SELECT user_id FROM crmx_src.users WHERE login = '$rep'")
mine=$(qp "SELECT account_id FROM crmx_src.accounts WHERE owner_id = $rep_id ORDER BY account_id LIMIT 1")
hash=$(openssl passwd -apr1 demo)
echo "$rep:$hash" >"$tmp/htpasswd"
chmod 644 "$tmp/htpasswd"
secret=$(openssl rand -hex 32)
freeport() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_fcgi() {
	rm -f "$tmp/$1.sock"
	"$top/$O/fcgi/crmx.fcgi" --set "database.conninfo=$pci" --set "database.read_conninfo=$rci" \
		--set database.max_replica_lag_s=2 --set database.connect_timeout_s=1 \
		--set "fcgi.listen=$tmp/$1.sock" --set "fcgi.socket_group=$("$top/deploy/nginx-group")" \
		--set fcgi.workers=2 --set "fcgi.csrf_secret=$secret" 2>>"$tmp/$1.log" &
	pids="$pids $!"
	wait_for 30 test -S "$tmp/$1.sock"
}
start_nginx() {	# NAME SOCKETS: sets NAME_base
	port=$(freeport)
	"$top/deploy/nginx-conf.sh" panels "$tmp/$1" "$port" "$2" "$tmp/htpasswd" &&
	nginx -p "$tmp/$1" -c "$tmp/$1/nginx.conf" -e "$tmp/$1/logs/error.log" &&
	eval "${1}_base=http://127.0.0.1:$port"
}
start_fcgi a && start_fcgi b || { fail "two crmx.fcgi instances listen"; cat "$tmp/a.log" "$tmp/b.log"; exit 0; }
start_nginx lb "$tmp/a.sock,$tmp/b.sock" && start_nginx a "$tmp/a.sock" && start_nginx b "$tmp/b.sock" ||
	{ fail "nginx: one upstream of two hosts, and each host alone"; exit 0; }
check "nginx's upstream lists both hosts" \
	test "$(grep -c "server unix:$tmp/[ab].sock" "$tmp/lb/nginx.conf")" = 2

# get HOST PATH [curl args]: status; body in $tmp/body, headers in $tmp/head
get() {
	h=$1 p=$2; shift 2
	eval "b=\$${h}_base"
	curl -s -o "$tmp/body" -D "$tmp/head" -w '%{http_code}' -u "$rep:demo" "$@" "$b$p"
}
post() {	# HOST PATH BODY
	h=$1 p=$2 d=$3
	eval "b=\$${h}_base"
	curl -s -o "$tmp/body" -D "$tmp/head" -w '%{http_code}' -u "$rep:demo" \
	     -H 'Content-Type: application/x-www-form-urlencoded' --data-raw "$d" "$b$p"
}
header() { sed -n "s/^$1: \\([a-z]*\\).*/\\1/Ip" "$tmp/head" | head -n 1; }
token() { sed -n 's/.*name="csrf" value="\([0-9a-f.]*\)".*/\1/p' "$tmp/body" | head -n 1; }
page="/crmx/accounts/$mine"

# reads_on HOST WHERE: a GET of the account page on HOST answers 200 read on WHERE
reads_on() { [ "$(get "$1" "$page")" = 200 ] && [ "$(header X-Crmx-Read)" = "$2" ]; }
check "host a reads the account page on the replica" wait_for 20 reads_on a replica
check "host b reads the account page on the replica" wait_for 20 reads_on b replica
# kept HOST: the next GET of the page on HOST is a cache hit
kept() { [ "$(get "$1" "$page")" = 200 ] && [ "$(header X-Crmx-Cache)" = hit ]; }
check "host a keeps a page read on the replica" wait_for 20 kept a
check "host b keeps a page read on the replica" wait_for 20 kept b

# --- a change with replay paused: never served stale, shown on every host ---
qr "SELECT pg_wal_replay_pause()" >/dev/null
get a "$page" >/dev/null
tok=$(token)
check "the form carries a CSRF token" test -n "$tok"
st=$(post a "$page" "has_need=yes&can_pay=yes&burning_issue=Marker+one&csrf=$tok")
check "a form posted on host a: 303 (got $st)" test "$st" = 303
check "the replica has not replayed it (replay paused)" \
	same "$(qr "SELECT count(*) FROM crmx.qualification_history WHERE burning_issue = 'Marker one'")" 0
stale=0 fresh=0 n=0
for i in $(seq 1 12); do
	for h in a b lb; do
		n=$((n + 1))
		[ "$(get $h "$page")" = 200 ] || continue
		if grep -q 'Marker one' "$tmp/body"; then fresh=$((fresh + 1)); else stale=$((stale + 1)); fi
	done
done
check "while the replica is behind, every host shows the change ($fresh of $n, $stale stale)" \
	test "$fresh" = "$n"
check "... read on the primary, not the lagging replica" same "$(header X-Crmx-Read)" primary
qr "SELECT pg_wal_replay_resume()" >/dev/null
check "the replica replays it once resumed" wait_for 20 \
	test "$(qr "SELECT count(*) FROM crmx.qualification_history WHERE burning_issue = 'Marker one'")" = 1
check "host a reads on the replica again" wait_for 20 reads_on a replica
check "host b reads on the replica again" wait_for 20 reads_on b replica
check "host b's page read on the replica shows the change" grep -q 'Marker one' "$tmp/body"

# --- a form posted on one host shows on the next request to the other ------
get b "$page" >/dev/null
tok=$(token)
st=$(post b "$page" "has_need=yes&can_pay=no&burning_issue=Marker+two&csrf=$tok")
check "a form posted on host b with host a's secret: 303 (got $st)" test "$st" = 303
get a "$page" >/dev/null
check "the next request to host a shows it" grep -q 'Marker two' "$tmp/body"
get lb "$page" >/dev/null
check "and the next through the upstream" grep -q 'Marker two' "$tmp/body"

# all_read_on WHERE: twelve requests, six to each host, each for a URL of
# its own (an unknown parameter is ignored; a page kept before would be
# served with where the worker read until then), all 200 with the change,
# read on WHERE; $n the requests made.
all_read_on() {
	ok=1 n=0
	for i in 1 2 3 4 5 6; do
		for h in a b; do
			n=$((n + 1))
			st=$(get $h "$page?stopped=$n")
			[ "$st" = 200 ] && [ "$(header X-Crmx-Read)" = "$1" ] && grep -q 'Marker two' "$tmp/body" ||
				{ ok=0; echo "host $h: $st, read on $(header X-Crmx-Read)"; }
		done
	done
	[ "$ok" = 1 ]
}

# --- the replica stopped, then back ----------------------------------------
"$top/deploy/pgctl" stop "$tmp/r"
check "replica stopped: all 12 pages of both hosts answered from the primary" all_read_on primary
"$top/deploy/pgctl" start "$tmp/r"
check "replica back: host a reads on it again" wait_for 30 reads_on a replica
check "replica back: host b reads on it again" wait_for 30 reads_on b replica

# --- the primary stopped: reads on the replica, forms 503, nothing lost ----
get a "$page" >/dev/null
tok=$(token)
h0=$(qp "SELECT count(*) FROM crmx.qualification_history WHERE account_id = $mine")
wait_for 20 test "$(qr "SELECT count(*) FROM crmx.qualification_history WHERE account_id = $mine")" = "$h0"
"$top/deploy/pgctl" stop "$tmp/p"
check "primary stopped: all 12 pages of both hosts read on the replica" all_read_on replica
st=$(post a "$page" "has_need=no&can_pay=no&burning_issue=Lost+marker&csrf=$tok")
check "primary stopped: a form answers 503 (got $st)" test "$st" = 503
check "... with a message" grep -qi 'not reachable' "$tmp/body"
"$top/deploy/pgctl" start "$tmp/p"
check "primary back: a form on host b is saved again" wait_for 30 sh -c \
	"curl -s -o /dev/null -w '%{http_code}' -u '$rep:demo' -H 'Content-Type: application/x-www-form-urlencoded' \
	 --data-raw 'has_need=yes&can_pay=yes&burning_issue=Marker+three&csrf=$tok' '$b_base$page' | grep -q 303"
check "nothing lost: the history before the stop and the one saved after, not the refused one" \
	same "$(qp "SELECT count(*) FILTER (WHERE burning_issue = 'Marker three') || '/' ||
	            count(*) FILTER (WHERE burning_issue = 'Lost marker') || '/' || count(*)
	            FROM crmx.qualification_history WHERE account_id = $mine")" "1/0/$((h0 + 1))"
replayed() { test "$(qr "SELECT count(*) FROM crmx.qualification_history WHERE burning_issue = 'Marker three'")" = 1; }
if wait_for 90 replayed; then
	pass "the replica replays it too"
else
	fail "the replica replays it too"
	qr "SELECT status, flushed_lsn, latest_end_lsn, last_msg_receipt_time FROM pg_stat_wal_receiver" |
		sed 's/^/replica: wal receiver: /'
	qr "SELECT pg_last_wal_replay_lsn(), pg_is_in_recovery()" | sed 's/^/replica: replayed: /'
	qp "SELECT pg_current_wal_lsn(); SELECT state, replay_lsn FROM pg_stat_replication" |
		sed 's/^/replica: primary: /'
	tail -n 15 "$tmp/r/postgresql.log" 2>/dev/null | sed 's/^/replica: log: /'
fi
check "host a shows it" wait_for 20 sh -c "curl -s -u '$rep:demo' '$a_base$page' | grep -q 'Marker three'"

# --- two reportd instances on the pair: one run, one mail ------------------
mkdir -p "$tmp/mail" "$tmp/reports"
printf '#!/bin/sh\ncat >"$(mktemp %s/mail/msg.XXXXXX)"\n' "$tmp" >"$tmp/sendmail"
chmod 755 "$tmp/sendmail"
cat >"$tmp/crmx.conf" <<EOF
[database]
conninfo = $pci
read_conninfo = $rci
max_replica_lag_s = 2
[reportd]
report_dir = $tmp/reports
listen = 127.0.0.1:0
[mail]
transport = sendmail
sendmail = $tmp/sendmail
from = reports@example.com
recipients = ceo@example.com
EOF
runs0=$(qp "SELECT count(*) FROM crmx.run WHERE as_of = '2026-06-29'")
# The day's report lock (reportd/daemon/job.c: class "crmx", the as-of day
# number) held here until both instances wait for it, so that both have
# asked before either computes, however slowly each starts.
key=$(qp "SELECT date '2026-06-29' - date '1970-01-01'")
psql -d "$pci" -X -qc "SELECT pg_advisory_lock(1668443512, $key); SELECT pg_sleep(120)" >/dev/null 2>&1 &
holder=$!
wait_for 20 test "$(qp "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
                        AND classid = 1668443512::oid AND objid = $key::oid")" = 1
for n in r1 r2; do
	"$top/$O/reportd/crmx-reportd" --config "$tmp/crmx.conf" --set log.level=debug --run-once \
		--report --deliver --as-of 2026-06-29 >/dev/null 2>"$tmp/$n.log" &
	eval "${n}_pid=\$!"
done
check "both instances wait for the report lock" wait_for 60 sh -c \
	"grep -q 'another instance holds the lock' '$tmp/r1.log' && grep -q 'another instance holds the lock' '$tmp/r2.log'"
kill "$holder" 2>/dev/null
qp "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'
    AND classid = 1668443512::oid AND objid = $key::oid AND granted" >/dev/null
wait "$r1_pid"; s1=$?
wait "$r2_pid"; s2=$?
check "two reportd instances: both exit 0 ($s1, $s2)" test "$s1$s2" = 00
check "one run computed for 2026-06-29 (was $runs0)" \
	same "$(qp "SELECT count(*) FROM crmx.run WHERE as_of = '2026-06-29'")" "$((runs0 + 1))"
check "its snapshot read on the replica" grep -qh 'reading crmx_src on the replica' "$tmp/r1.log" "$tmp/r2.log"
check "one mail sent" same "$(ls "$tmp/mail" | wc -l)" 1
check "one delivery recorded on the primary" \
	same "$(qp "SELECT count(*) FROM crmx.mail_delivery WHERE status = 'sent'")" 1

# --- a run after a quiet spell, with the replica's replay held a moment ----
# The replica's own measure of its lag is the age of the last transaction
# it replayed: after a quiet spell (5 s here, max_replica_lag_s 4) any WAL
# not yet replayed makes it look that far behind, however promptly it
# replays.  A run waits for it to replay the primary's position instead:
# replay is resumed only once the run's connection is there.
qr "SELECT pg_wal_replay_pause()" >/dev/null
sleep 5
qp "CREATE TABLE quiet_probe ()"
(for i in $(seq 200); do
	[ "$(qr "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'crmx-reportd'")" != 0 ] && break
	sleep 0.05
done; qr "SELECT pg_wal_replay_resume()" >/dev/null) &
resumer=$!
"$top/$O/reportd/crmx-reportd" --config "$tmp/crmx.conf" --set database.max_replica_lag_s=4 \
	--run-once --as-of 2026-06-30 >/dev/null 2>"$tmp/r3.log"
wait "$resumer"
check "after a quiet spell, a run waits for the replica's replay and reads there" \
	grep -q 'reading crmx_src on the replica' "$tmp/r3.log"

# --- reportd's /healthz and /metrics: where runs read, and the lag ---------
"$top/$O/reportd/crmx-reportd" --config "$tmp/crmx.conf" --set mail.transport=off \
	--set reportd.schedule="mon 06:00" 2>"$tmp/rd.log" &
pids="$pids $!"
wait_for 20 grep -q 'listening on' "$tmp/rd.log"
rport=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$tmp/rd.log")
healthz_reads() {
	curl -s "http://127.0.0.1:$rport/healthz" >"$tmp/h.json" &&
	/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["replica"]["reads"])' \
		"$tmp/h.json" 2>/dev/null | grep -qx "$1"
}
check "/healthz: runs read on the replica" wait_for 20 healthz_reads replica
curl -s "http://127.0.0.1:$rport/metrics" >"$tmp/metrics"
check "/metrics: crmx_reportd_reads_on_replica 1" grep -q '^crmx_reportd_reads_on_replica 1$' "$tmp/metrics"
check "/metrics: the replica's lag" grep -q '^crmx_reportd_replica_lag_seconds ' "$tmp/metrics"
# Replay paused with a commit waiting that the change feed does not name:
# the lag grows past max_replica_lag_s (2 for reportd and the panels).
check "before: host a reads on the replica" wait_for 20 reads_on a replica
lines=$(wc -l <"$tmp/a.log")
qr "SELECT pg_wal_replay_pause()" >/dev/null
qp "CREATE TABLE lag_probe ()"
check "/healthz: a replica behind by more than max_replica_lag_s is skipped" wait_for 30 healthz_reads primary
check "... and says it lags" grep -q '"state": *"lagging"' "$tmp/h.json"
check "the panels skip it too: host a reads on the primary" wait_for 30 reads_on a primary
check "... and host b" wait_for 30 reads_on b primary
# says_lags: a request to host a, then its log says since $lines why it
# reads on the primary (once a probe was not replayed within the limit)
says_lags() {
	reads_on a primary &&
	tail -n +"$((lines + 1))" "$tmp/a.log" | grep -q 'reads go to the primary: the replica is [0-9.]* s behind'
}
check "... and host a's log says why" wait_for 30 says_lags
qr "SELECT pg_wal_replay_resume()" >/dev/null
check "/healthz: back on the replica once it caught up" wait_for 30 healthz_reads replica
check "the panels too: host a" wait_for 30 reads_on a replica

# --- the panels after a quiet spell, the replica's replay held a moment ----
# The same false lag for a worker: it measures the replica at a request,
# and after a quiet spell longer than max_replica_lag_s (2) a commit not yet
# replayed made the replica's own measure say it was 3 s behind.  That
# request reads on the primary (the replica has not replayed everything),
# but the worker must not take the replica for one that lags: no warning,
# and reads go back to it as soon as it replayed.
check "before a quiet spell: host a reads on the replica" wait_for 20 reads_on a replica
lines=$(wc -l <"$tmp/a.log")
qr "SELECT pg_wal_replay_pause()" >/dev/null
sleep 3
qp "CREATE TABLE quiet_probe_panels ()"
# the commit's WAL received (not replayed): before it arrives the replica
# has nothing waiting, and a request may rightly read there (seen once in
# a full make test)
lsn=$(qp "SELECT pg_current_wal_insert_lsn()")
received() { [ "$(qr "SELECT pg_last_wal_receive_lsn() >= '$lsn'")" = t ]; }
check "... the replica received the commit ($lsn)" wait_for 20 received
check "after the quiet spell, a request while the commit waits reads on the primary" reads_on a primary
qr "SELECT pg_wal_replay_resume()" >/dev/null
check "... and the next ones on the replica once it replayed" wait_for 20 reads_on a replica
tail -n +"$((lines + 1))" "$tmp/a.log" >"$tmp/a.quiet.log"
check "... with no warning that the replica lags ($(grep -c 'behind' "$tmp/a.quiet.log") in the log)" \
	test "$(grep -c 'behind' "$tmp/a.quiet.log")" = 0
"$top/deploy/pgctl" stop "$tmp/r"
check "/healthz: replica stopped, runs read on the primary" wait_for 30 healthz_reads primary
check "... and says it is unreachable" grep -q '"state": *"unreachable"' "$tmp/h.json"
