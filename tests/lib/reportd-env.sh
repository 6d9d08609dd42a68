# The set-up the reportd tests share (report.sh, runs.sh, reportd_http.sh):
# a copy of the demo database, a daemon on a free port, a report waited
# for.  Source it after tests/lib/sh.sh, with top set; it sets O, host
# (the test cluster), tmp (a folder of the test's, readable by nginx),
# pids (the test's background processes: stop them on exit) and reportd.
O=${O:-build/default}
host=${CRMX_TEST_PGHOST:-}
tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=""
reportd=$top/$O/reportd/crmx-reportd

# demo_db NAME: NAME afresh from the demo database; sets db and ci (its
# conninfo).  q SQL runs on it, qa SQL on the cluster's crmx database.
demo_db() {
	[ -n "$host" ] || { echo "demo_db: CRMX_TEST_PGHOST is not set" >&2; exit 1; }
	db=$1
	qa "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	qa "CREATE DATABASE $db TEMPLATE crmx_demo" >/dev/null
	ci="host=$host dbname=$db user=crmx"
}
q() { psql -h "$host" -U crmx -d "$db" -X -Atqc "$1"; }
qa() { psql -h "$host" -U crmx -d crmx -X -Atqc "$1"; }

# start_reportd NAME [ARG...]: the script's rd (crmx-reportd with its
# settings, started as ${exec:-} "$reportd" ...) as a daemon on a free
# port, its output in $tmp/NAME.log; sets NAME_pid (reportd's own: rd
# execs it in the background shell), and NAME_port once it listens (empty
# if it never does).
start_reportd() {
	_sr_name=$1; shift
	(exec=exec; rd --set reportd.listen=127.0.0.1:0 "$@") >"$tmp/$_sr_name.log" 2>&1 &
	pids="$pids $!"
	eval "${_sr_name}_pid=$!"
	_sr_port=""
	for _sr_i in $(seq 1 100); do
		_sr_port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$tmp/$_sr_name.log")
		[ -n "$_sr_port" ] && break
		sleep 0.1
	done
	eval "${_sr_name}_port=$_sr_port"
}

# week_done PORT WEEK: /healthz says the last run reported WEEK and is ok.
week_done() {
	curl -s "http://127.0.0.1:$1/healthz" >"$tmp/h.json" || return 1
	/usr/bin/python3 - "$tmp/h.json" "$2" <<'PY'
import json, sys
try:
    h = json.load(open(sys.argv[1]))
except ValueError:
    sys.exit(1)
l = h.get("last_run", {})
sys.exit(0 if not h["running"] and l.get("status") == "ok" and l.get("week") == sys.argv[2] else 1)
PY
}

# wait_week PORT WEEK: until week_done, at most 60 s.
wait_week() {
	[ -n "$1" ] && [ -n "$2" ] || { echo "wait_week: no port or week" >&2; return 1; }
	wait_for 60 week_done "$1" "$2"
}

# stop_all: ends the test's background processes ($pids) and waits for them.
stop_all() {
	for _sa_p in $pids; do kill "$_sa_p" 2>/dev/null; done
	for _sa_p in $pids; do wait "$_sa_p" 2>/dev/null; done
}
# drop_tmp: removes $tmp (kept when KEEP_TMP is set, for a look).
drop_tmp() {
	if [ -n "${KEEP_TMP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
