#!/bin/sh
# The panels under load (issue: fcgi panels, speed): the account panel and
# the pipeline through nginx -> crmx.fcgi -> PostgreSQL on the large data
# set, 64 connections, against the same nginx answering from a trivial
# FastCGI "hello" program with as many workers (tests/bench/hello_fcgi.c),
# measured side by side in this run.  Targets: throughput at least half of
# hello's, p99 latency under 20 ms.  Requests rotate over 2,000 random reps
# and their own accounts, so caches see a realistic spread; every answer
# must be a 200.  Authentication is {PLAIN} for both sides, so its cost
# does not flatter the ratio.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-build/default}
conf=${CRMX_BENCH_CONF:?run through tests/bench/run}
host=$CRMX_BENCH_PGHOST
db=$CRMX_BENCH_DB
dir=$CRMX_BENCH_DIR/panels
workers=${BENCH_FCGI_WORKERS:-6}
secs=${BENCH_SECONDS:-10}
mkdir -p "$dir"
chmod 755 "$dir"
q() { psql -h "$host" -U crmx -d "$db" -X -Atqc "$1"; }
row() { echo "| $1 | $2 | $3 | $4 | $5 | $6 |"; }

# The panels read a metrics run; make one if the engine benchmark did not
# (or the latest predates the per-owner funnel figures).
[ -n "$(q "SELECT 1 FROM crmx.latest_owner_metrics WHERE reached IS NOT NULL LIMIT 1")" ] ||
	"$top/$O/reportd/crmx-reportd" --config "$conf" --run-once --as-of 2026-06-30 >/dev/null

# Measure a warm server, as a CRM's database is in production: load what
# the panels read into PostgreSQL's cache first (pg_prewarm, contrib).
q "CREATE EXTENSION IF NOT EXISTS pg_prewarm" >/dev/null
part=$(q "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'crmx.account_metrics'::regclass
             AND c.relname = 'account_metrics_' || (SELECT run_id FROM crmx.latest_run)")
for rel in crmx_native.accounts crmx_native.accounts_pkey crmx_native.accounts_owner_id_idx \
           crmx_native.opportunities crmx_native.opportunities_owner_panel \
           crmx_native.opportunities_account_id_idx \
           crmx_native.revenue crmx_native.revenue_account_id_booked_at_idx \
           crmx_native.contacts crmx_native.contacts_account_id_idx crmx_native.users \
           crmx.qualification crmx.qualification_pkey crmx.owner_metrics \
           ${part:+crmx.$part crmx.${part}_pkey}; do
	q "SELECT pg_prewarm('$rel')" >/dev/null 2>&1 || echo "bench: could not prewarm $rel" >&2
done

pids=""
cleanup() {
	[ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT
q "SELECT login || ':{PLAIN}demo' FROM crmx_src.users" >"$dir/htpasswd"
chmod 644 "$dir/htpasswd"
port=$((30000 + $$ % 20000))
"$top/deploy/panels-nginx.sh" "$dir" "$port" "$dir/crmx.sock" "$dir/htpasswd" "$dir/hello.sock"
"$top/$O/fcgi/crmx.fcgi" --config "$conf" --set "fcgi.listen=$dir/crmx.sock" \
	--set "fcgi.workers=$workers" 2>"$dir/fcgi.log" &
pids="$pids $!"
"$top/$O/tests/bench/hello_fcgi" "$dir/hello.sock" "$workers" &
pids="$pids $!"
for i in $(seq 50); do [ -S "$dir/crmx.sock" ] && [ -S "$dir/hello.sock" ] && break; sleep 0.1; done
nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log"
base=http://127.0.0.1:$port

# Request lists: "AUTHORIZATION PATH" per line.
q "SELECT 'Basic ' || encode(convert_to(u.login || ':demo', 'UTF8'), 'base64'),
          '/crmx/accounts/' || a.account_id
     FROM (SELECT account_id, owner_id FROM crmx_src.accounts
            ORDER BY hashint8(account_id) LIMIT 2000) a
     JOIN crmx_src.users u ON u.user_id = a.owner_id WHERE u.role = 'rep'" | tr '|' ' ' >"$dir/account.list"
q "SELECT 'Basic ' || encode(convert_to(login || ':demo', 'UTF8'), 'base64'), '/crmx/pipeline'
     FROM crmx_src.users WHERE role = 'rep' ORDER BY user_id" | tr '|' ' ' >"$dir/pipeline.list"
sed 's| /crmx/.*| /hello|' "$dir/account.list" >"$dir/hello.list"
cat >"$dir/rotate.lua" <<'LUA'
local reqs, i = {}, 0
function init(args)
	for line in io.lines(args[1]) do
		local auth, path = line:match("^(.-) (%S+)$")
		reqs[#reqs + 1] = wrk.format("GET", path, { Authorization = auth })
	end
end
function request()
	i = i % #reqs + 1
	return reqs[i]
end
LUA

# load NAME: wrk over NAME.list; sets rps, p99 (ms) and bad (non-2xx/socket errors)
load() {
	wrk -t2 -c64 -d"${secs}s" --latency -s "$dir/rotate.lua" "$base/" -- "$dir/$1.list" >"$dir/$1.wrk" 2>&1
	rps=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$dir/$1.wrk")
	p99=$(awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
	      print (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }' "$dir/$1.wrk")
	bad=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { n += 1 } END { print n + 0 }' "$dir/$1.wrk")
}
# Warm both sides (connections, plans, cache), then measure side by side.
wrk -t2 -c64 -d3s -s "$dir/rotate.lua" "$base/" -- "$dir/account.list" >/dev/null 2>&1
wrk -t2 -c64 -d2s -s "$dir/rotate.lua" "$base/" -- "$dir/hello.list" >/dev/null 2>&1
load hello; hello_rps=$rps hello_p99=$p99 hello_bad=$bad
load account; acc_rps=$rps acc_p99=$p99 acc_bad=$bad
load pipeline; pipe_rps=$rps pipe_p99=$p99 pipe_bad=$bad

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# ok CONDITION: the condition (numbers only, made here) evaluated by awk
ok() { if awk "BEGIN { exit !($1) }"; then echo ok; else echo MISSED; fi; }
# report PAGE RPS P99 ERRORS
report() {
	rat=$(ratio "$2" "$hello_rps")
	row "$1 panel via nginx, 64 conns, vs FastCGI hello (req/s; $4 errors)" "$2" "$hello_rps" \
	    "${rat}x" ">= 0.5x" "$(ok "$rat >= 0.5 && $4 == 0")"
	row "$1 panel p99 latency (ms; hello's $hello_p99)" "$3" "" "" "< 20" "$(ok "$3 < 20")"
}
report account "$acc_rps" "$acc_p99" "$acc_bad"
report pipeline "$pipe_rps" "$pipe_p99" "$pipe_bad"
[ "$hello_bad" -eq 0 ] || row "hello baseline errors" "$hello_bad" "" "" "0" MISSED
