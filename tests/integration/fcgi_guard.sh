#!/bin/sh
# crmx.fcgi against a hostile or bad day (issue 19): through nginx ->
# crmx.fcgi -> PostgreSQL,
#  - a statement that fails for one request (a data exception, any other
#    SQL error) answers that request 400 / 500 and costs the worker
#    neither its connection nor its kept pages;
#  - the unix socket is not world-writable: a local user (nobody) sending
#    REMOTE_USER straight to it is refused, nginx still serves; ":PORT"
#    binds loopback; a port out of range is said to be one;
#  - 200 concurrent requests through nginx: no 502 (the listen backlog);
#  - SIGKILL of the master: its workers end too, and a new master serves.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "crmx.fcgi guards through nginx" "nginx not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
trap 'panels_env_stop' EXIT
panels_env_start t_fcgi_guard || exit 0
fcgi=$top/$O/fcgi/crmx.fcgi
group=$("$top/deploy/nginx-group")

cache_state() { sed -n 's/^X-Crmx-Cache: \([a-z]*\).*/\1/ip' "$tmp/head" | tr -d '\r'; }
backend() { q "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity
               WHERE application_name = 'crmx.fcgi' AND datname = '$db'"; }
# gone PID: the process has ended (a zombie counts as ended)
gone() { ! kill -0 "$1" 2>/dev/null || grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
# serving: waits until a panel answers 200 through nginx (10 s at most)
serving() {
	for i in $(seq 50); do
		[ "$(get exec /crmx/accounts.json)" = 200 ] && return 0
		sleep 0.2
	done
	return 1
}
# restart [--set ...]: a new crmx.fcgi master on the socket, once the old one ended
restart() {
	if [ -n "$fcgi_pid" ]; then
		kill "$fcgi_pid" 2>/dev/null
		wait "$fcgi_pid" 2>/dev/null
	fi
	"$fcgi" --set "database.conninfo=$ci" --set "fcgi.listen=$tmp/fcgi.sock" \
		--set "fcgi.socket_group=$group" "$@" 2>>"$tmp/fcgi.log" &
	fcgi_pid=$!
	serving
}

# --- SQL errors stay per request --------------------------------------------------
check "one worker serves" restart --set fcgi.workers=1
a=$(q "SELECT min(account_id) FROM crmx_src.accounts")
b=$(q "SELECT max(account_id) FROM crmx_src.accounts")
def=$(q "SELECT pg_get_viewdef('crmx_src.accounts'::regclass)")
def=${def%;}
# warm: asks until the page comes from the worker's cache
warm() { for i in 1 2 3; do get exec "$1" >/dev/null; [ "$(cache_state)" = hit ] && return 0; done; return 1; }
check "account $a is kept by the worker" warm "/crmx/accounts/$a"
pid1=$(backend)

# A data exception (division by zero, SQLSTATE 22012) raised for account $b only.
q "CREATE OR REPLACE VIEW crmx_src.accounts AS SELECT * FROM ($def) v
   WHERE 1 / (v.account_id - $b) IS NOT NULL"
st=$(get exec "/crmx/accounts/$b")
check "a data exception: 400 (got $st)" test "$st" = 400
check "... that says the database refused a value" grep -q 'refused a value' "$tmp/body"
check "... the worker keeps its connection ($pid1 = $(backend))" same "$pid1" "$(backend)"
get exec "/crmx/accounts/$a" >/dev/null
check "... and its kept pages (account $a: $(cache_state))" test "$(cache_state)" = hit

# Any other error (raised by a function: P0001) for account $b only.
q "CREATE OR REPLACE FUNCTION crmx_src.t_guard_boom(id bigint) RETURNS boolean LANGUAGE plpgsql AS
   \$\$ BEGIN IF id = $b THEN RAISE EXCEPTION 'boom'; END IF; RETURN true; END \$\$;
   CREATE OR REPLACE VIEW crmx_src.accounts AS SELECT * FROM ($def) v WHERE crmx_src.t_guard_boom(v.account_id)"
st=$(get exec "/crmx/accounts/$b")
check "another SQL error: 500 (got $st)" test "$st" = 500
check "... the worker keeps its connection ($pid1 = $(backend))" same "$pid1" "$(backend)"
get exec "/crmx/accounts/$a" >/dev/null
check "... and its kept pages (account $a: $(cache_state))" test "$(cache_state)" = hit
check "... no transaction left open or aborted" \
	test "$(q "SELECT state FROM pg_stat_activity WHERE pid = '$pid1'")" = idle
q "CREATE OR REPLACE VIEW crmx_src.accounts AS $def; DROP FUNCTION crmx_src.t_guard_boom(bigint)"
check "the view mended: account $b is 200" test "$(get exec "/crmx/accounts/$b")" = 200
check "... read on the same connection ($pid1 = $(backend))" same "$pid1" "$(backend)"

# Ids are plain digits: a sign, a space or a leading zero is a 400.
for bad in "+$a" "%20$a" "0$a" "%2B$a"; do
	st=$(get exec "/crmx/accounts/$bad")
	check "account id \"$bad\": 400 (got $st)" test "$st" = 400
done

# A lost connection is still one: dropped and made again.
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
   WHERE application_name = 'crmx.fcgi' AND datname = '$db'" >/dev/null
get exec "/crmx/accounts/$b.json" >/dev/null
check "connection killed: the worker connects again and serves" \
	test "$(get exec "/crmx/accounts/$b.json")" = 200 -a -n "$(backend)" -a "$(backend)" != "$pid1"

# --- who may reach the socket ------------------------------------------------------
restart --set fcgi.workers=2
mode=$(stat -c '%a %G' "$tmp/fcgi.sock")
check "the socket is 660 for nginx's group ($mode)" test "$mode" = "660 $group"
client="/usr/bin/python3 $top/tests/lib/fcgi_client.py"
out=$($client "$tmp/fcgi.sock" /crmx/accounts.json REMOTE_USER=exec)
check "root reaches the socket straight (the client works): $out" test "$out" = "Status: 200 OK"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups $client "$tmp/fcgi.sock" \
	/crmx/accounts.json REMOTE_USER=exec)
check "user nobody sending REMOTE_USER=exec straight to the socket is refused ($out)" \
	test "$out" = "refused: EACCES"
check "nginx still serves" test "$(get exec /crmx/accounts.json)" = 200

port=$(free_port)
"$fcgi" --set "database.conninfo=$ci" --set "fcgi.listen=:$port" --set fcgi.workers=1 \
	2>"$tmp/tcp.log" &
tcp_pid=$!
for i in $(seq 50); do ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.1; done
bound=$(ss -Hltn "sport = :$port" | awk '{print $4}')
check "listen = :$port binds loopback only ($bound)" test "$bound" = "127.0.0.1:$port"
kill "$tcp_pid"; wait "$tcp_pid" 2>/dev/null
"$fcgi" --set "fcgi.listen=127.0.0.1:99999" --check >/dev/null 2>"$tmp/port.log"
check "listen = 127.0.0.1:99999: the port is out of range ($(cat "$tmp/port.log"))" \
	grep -q 'port 99999 is out of range' "$tmp/port.log"

# --- the listen queue: 200 concurrent requests through nginx, no 502 --------------
max=$(cat /proc/sys/net/core/somaxconn)
if [ "$max" -lt 65535 ]; then
	"$fcgi" --set "database.conninfo=$ci" --set "fcgi.listen=$tmp/big.sock" --set fcgi.workers=1 \
		--set fcgi.backlog=65535 2>"$tmp/big.log" &
	big_pid=$!
	for i in $(seq 50); do grep -q 'serving on' "$tmp/big.log" && break; sleep 0.1; done
	kill "$big_pid"; wait "$big_pid" 2>/dev/null
	check "backlog 65535 above net.core.somaxconn ($max): a warning at start" \
		grep -q 'backlog 65535 is above net.core.somaxconn' "$tmp/big.log"
else
	skip "backlog above net.core.somaxconn warns" "somaxconn is $max"
fi
/usr/bin/python3 - "$base" >"$tmp/load.txt" <<'PY'
import base64, sys, threading, urllib.error, urllib.request
base, n, rounds = sys.argv[1], 200, 3
auth = "Basic " + base64.b64encode(b"exec:demo").decode()
codes = []
def one(i, r, barrier):
    barrier.wait()
    req = urllib.request.Request("%s/crmx/accounts.json?saved=1&page=%d" % (base, 1 + (i + r) % 5),
                                 headers={"Authorization": auth})
    try:
        with urllib.request.urlopen(req, timeout=60) as f:
            f.read(); codes.append(f.status)
    except urllib.error.HTTPError as e:
        codes.append(e.code)
    except Exception:
        codes.append(0)
for r in range(rounds):
    barrier = threading.Barrier(n)
    ts = [threading.Thread(target=one, args=(i, r, barrier)) for i in range(n)]
    for t in ts: t.start()
    for t in ts: t.join()
print(len(codes), sum(c == 200 for c in codes), sum(c == 502 for c in codes),
      sum(c not in (200, 502) for c in codes))
PY
read total ok bad other <"$tmp/load.txt"
echo "   200 concurrent x 3: $total requests, $ok 200, $bad 502, $other other"
check "200 concurrent requests x 3 through nginx: every one 200, no 502" \
	test "$total" = 600 -a "$ok" = 600

# --- SIGKILL of the master ---------------------------------------------------------
workers=$(pgrep -P "$fcgi_pid" | tr '\n' ' ')
check "the master has its two workers ($workers)" test "$(echo $workers | wc -w)" = 2
kill -KILL "$fcgi_pid"; wait "$fcgi_pid" 2>/dev/null
all_gone() { [ -n "$workers" ] || return 1; for w in $workers; do gone "$w" || return 1; done; }
ended=1
for i in $(seq 50); do all_gone && { ended=0; break; }; sleep 0.1; done
check "master SIGKILLed: its workers end within 5 s" test "$ended" = 0
for w in $workers; do kill -KILL "$w" 2>/dev/null; done	# not to disturb what follows
fcgi_pid=""
check "a new master takes the socket over and serves" restart --set fcgi.workers=2
check "... with workers of its own" test "$(pgrep -P "$fcgi_pid" | wc -l)" = 2

exit 0
