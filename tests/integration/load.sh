#!/bin/sh
# Mixed traffic at 256 connections (issue 19): wrk through nginx ->
# crmx.fcgi (four workers, kept pages on, as deployed) -> PostgreSQL on
# the demo data, for LOAD_SECONDS (45 here; `make reliability` runs 600),
# over every panel of tests/lib/mix.sh (JSON and HTML, both languages,
# list filters, every user).  Every answer must be a 200 — a 503 the
# panels send on purpose (statement timeout) is counted apart and allowed;
# a 502, a timeout or a dropped connection is a failure.  Each worker's
# memory (VmRSS, sampled every 2 s) must stay flat after warm-up: the
# mean of the last third of the samples within 5% of the first third's
# (warm-up: the first fifth of the run).  No worker may die.  Prints the
# percentiles; with $CRMX_FIGURES set, the figures go there.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
PY=/usr/bin/python3
secs=${LOAD_SECONDS:-45}
conns=${LOAD_CONNECTIONS:-256}
command -v nginx >/dev/null 2>&1 || { skip "load at $conns connections" "nginx not installed"; exit 0; }
command -v wrk >/dev/null 2>&1 || { skip "load at $conns connections" "wrk not installed (deploy/install-deps test)"; exit 0; }
. "$top/tests/lib/panels-env.sh"
. "$top/tests/lib/mix.sh"
sampler=""
trap '[ -n "$sampler" ] && kill "$sampler" 2>/dev/null; panels_env_stop' EXIT
PANELS_FCGI_WORKERS=4
panels_env_start t_load || exit 0

# The request list for wrk: "AUTHORIZATION PATH" per line.
mix_gets "$tmp/gets.list"
$PY - "$tmp/gets.list" >"$tmp/wrk.list" <<'EOF'
import base64, sys
for line in open(sys.argv[1], encoding="utf-8"):
    method, path, user, expected = line.rstrip("\n").split("\t")[:4]
    print("Basic " + base64.b64encode((user + ":demo").encode()).decode(), path)
EOF
cat >"$tmp/mix.lua" <<'LUA'
-- Rotates over the list (each thread from its own place) and counts the
-- answers by status in every thread; done() prints key=value lines.
local reqs, i, threads = {}, 0, {}
statuses = {}
function setup(thread)
	threads[#threads + 1] = thread
	thread:set("id", #threads)
end
function init(args)
	for line in io.lines(args[1]) do
		local auth, path = line:match("^(.-) (%S+)$")
		reqs[#reqs + 1] = wrk.format("GET", path, { Authorization = auth })
	end
	i = (id * 37) % #reqs
end
function request()
	i = i % #reqs + 1
	return reqs[i]
end
function response(status)
	statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency)
	local counts = {}
	for _, t in ipairs(threads) do
		for k, v in pairs(t:get("statuses")) do counts[k] = (counts[k] or 0) + v end
	end
	for k, v in pairs(counts) do io.write(string.format("status_%d=%d\n", k, v)) end
	local e = summary.errors
	io.write(string.format("requests=%d\nseconds=%.1f\nerrors_connect=%d\nerrors_read=%d\n" ..
		"errors_write=%d\nerrors_timeout=%d\n", summary.requests, summary.duration / 1e6,
		e.connect, e.read, e.write, e.timeout))
	for _, p in ipairs({ 50, 90, 99 }) do
		io.write(string.format("p%d_ms=%.1f\n", p, latency:percentile(p) / 1000))
	end
	io.write(string.format("max_ms=%.1f\n", latency.max / 1000))
end
LUA

# Each worker's VmRSS every 2 s while the load runs: "SECONDS PID KB".
kids=$(ps -o pid= --ppid "$fcgi_pid" | tr -d ' ' | sort)
sample() {
	t0=$(date +%s)
	while [ ! -e "$tmp/load.done" ] && [ $(($(date +%s) - t0)) -le $((secs + 30)) ]; do
		now=$(($(date +%s) - t0))
		for k in $kids; do
			echo "$now $k $(awk '/^VmRSS:/ { print $2 }' "/proc/$k/status" 2>/dev/null)"
		done
		sleep 2
	done >"$tmp/rss"
}
sample & sampler=$!
echo "load: wrk, $conns connections, ${secs} s, $(wc -l <"$tmp/wrk.list") different requests, workers $(echo $kids)"
wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s -s "$tmp/mix.lua" "$base/" -- "$tmp/wrk.list" \
	>"$tmp/wrk.out" 2>&1
touch "$tmp/load.done"
wait "$sampler"; sampler=""
kv() { v=$(sed -n "s/^$1=//p" "$tmp/wrk.out"); echo "${v:-0}"; }
ok200=$(kv status_200) n503=$(kv status_503) total=$(kv requests)
failed=$((total - ok200 - n503))
errs=$(($(kv errors_connect) + $(kv errors_read) + $(kv errors_write) + $(kv errors_timeout)))
[ "$failed" -lt "$errs" ] && failed=$errs
others=$(sed -n 's/^status_\([0-9]*\)=\(.*\)/\1:\2/p' "$tmp/wrk.out" | grep -v '^200:\|^503:' | tr '\n' ' ')
rps=$(awk -v n="$total" -v s="$(kv seconds)" 'BEGIN { printf "%.0f", n / s }')
echo "load: $total requests in $(kv seconds) s ($rps/s): $ok200 answered 200, $n503 designed 503s," \
     "$failed failed (${others:-no other status}; socket errors: connect $(kv errors_connect)," \
     "read $(kv errors_read), write $(kv errors_write), timeout $(kv errors_timeout))"
echo "load: latency p50 $(kv p50_ms) ms, p90 $(kv p90_ms) ms, p99 $(kv p99_ms) ms, max $(kv max_ms) ms"
check "load: $conns connections for $secs s served requests" test "$total" -gt 0
check "load: no failed request (502, timeout, dropped connection): $failed of $total" test "$failed" = 0

# Memory: per worker, the first and last third of the samples after warm-up.
awk -v warm=$((secs / 5)) '$1 >= warm && $3 != "" { n[$2]++; t[$2, n[$2]] = $3 }
     END { for (k in n) { a = 0; b = 0; m = int(n[k] / 3); if (m < 1) { print k, 0, 0, "few"; continue }
           for (i = 1; i <= m; i++) { a += t[k, i]; b += t[k, n[k] - m + i] }
           printf "%s %.0f %.0f %.1f\n", k, a / m, b / m, 100 * (b - a) / a } }' "$tmp/rss" |
	sort >"$tmp/rss.sum"
while read -r pid first last growth; do
	echo "load: worker $pid: RSS $first kB -> $last kB after warm-up ($growth%)"
done <"$tmp/rss.sum"
flat() {
	[ "$(wc -l <"$tmp/rss.sum")" -eq "$(echo $kids | wc -w)" ] &&
	awk '$4 == "few" || $4 > 5 { bad = 1 } END { exit bad }' "$tmp/rss.sum"
}
if [ -n "${SANITIZE:-}" ]; then
	# ASan keeps freed memory in its quarantine (up to 256 MiB a process):
	# RSS grows by design there; the normal pass checks it.
	skip "load: every worker's memory flat after warm-up" "ASan's quarantine grows RSS by design"
else
	check "load: every worker's memory flat after warm-up (within 5%)" flat
fi
check "load: no worker died" same "$(ps -o pid= --ppid "$fcgi_pid" | tr -d ' ' | sort)" "$kids"
check "load: no worker restart logged" absent 'ended (status' "$tmp/fcgi.log"
if [ -n "${CRMX_FIGURES:-}" ]; then
	growth=$(awk 'BEGIN { m = -1e9 } $4 != "few" && $4 > m { m = $4 } END { print m }' "$tmp/rss.sum")
	cat >>"$CRMX_FIGURES" <<EOF
load_conns $conns
load_seconds $(kv seconds)
load_requests $total
load_rps $rps
load_failed $failed
load_503 $n503
load_p50_ms $(kv p50_ms)
load_p90_ms $(kv p90_ms)
load_p99_ms $(kv p99_ms)
load_max_ms $(kv max_ms)
load_rss_growth_pct $growth
EOF
fi
exit 0
