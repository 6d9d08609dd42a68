#!/bin/sh
# reportd's HTTP service under a stalled database and hostile clients:
# static files and cheap answers never wait on PostgreSQL (one stalled, as
# a stopped postmaster is: it accepts and never answers), 200 connections
# on /healthz, 300 slow-header clients (slowloris) while another client
# keeps being served, symlinks in the report folder, HTTP/1.1 without
# Host, and error answers that name no path and no SQL.  The reports are
# folders made here: no metrics run is needed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
. "$top/tests/lib/reportd-env.sh"
stress="/usr/bin/python3 $top/tests/lib/httpstress.py"
trap 'stop_all; drop_tmp' EXIT

# A report week as reportd writes it, by hand.
R=$tmp/reports
mkdir -p "$R/2026-W27/charts" "$tmp/outside/charts"
echo '<!DOCTYPE html><title>w27</title>' >"$R/2026-W27/index.html"
head -c 20000 /dev/zero | tr '\0' 'x' | sed 's/^/body{}/' >"$R/2026-W27/report.css"
echo '<svg/>' >"$R/2026-W27/charts/lorenz.svg"
echo 'secret-outside-the-reports' >"$tmp/outside/secret.css"
echo 'secret-outside-the-reports' >"$tmp/outside/charts/x.svg"
cp "$R/2026-W27/index.html" "$tmp/outside/index.html"
ln -s "$tmp/outside/secret.css" "$R/2026-W27/leak.css"
ln -s "$tmp/outside/charts" "$R/2026-W27/linked"
ln -s "$tmp/outside" "$R/2026-W30"

rd() { ${exec:-} "$reportd" --set reportd.report_dir="$R" "$@"; }

# --- a stalled PostgreSQL ---------------------------------------------------
mkdir "$tmp/stall"
$stress stallpg "$tmp/stall" 90 &
stall_pid=$!
pids="$pids $stall_pid"
for i in $(seq 1 50); do [ -S "$tmp/stall/.s.PGSQL.5432" ] && break; sleep 0.1; done
start_reportd s --set "database.conninfo=host=$tmp/stall dbname=crmx user=crmx" --set database.connect_timeout_s=8
check "reportd listens (stalled database, port $s_port)" test -n "$s_port"
S=http://127.0.0.1:$s_port
curl -s -o /dev/null --max-time 12 "$S/healthz" &
pids="$pids $!"
sleep 0.3
t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 5 "$S/reports/2026-W27/report.css")
echo "report.css with one /healthz waiting on the stalled database: $t s"
check "stalled database: report.css 200 in under 1 s while /healthz waits" \
	awk -v t="$t" 'BEGIN { split(t, a, " "); exit !(a[1] == 200 && a[2] < 1) }'
code=$(curl -s -o "$tmp/h.json" -w '%{http_code} %{time_total}' --max-time 5 "$S/healthz")
echo "a second /healthz meanwhile: $code s"
check "stalled database: a second /healthz answers 503 in under 2 s" \
	awk -v t="$code" 'BEGIN { split(t, a, " "); exit !(a[1] == 503 && a[2] < 2) }'
check "stalled database: /metrics answers in under 2 s" \
	awk -v t="$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 5 "$S/metrics")" \
	'BEGIN { split(t, a, " "); exit !(a[1] == 200 && a[2] < 2) }'
check "stalled database: 200 connections on /healthz all answered within 3 s, report.css under 1 s" \
	$stress storm "$s_port" /healthz 200 /reports/2026-W27/report.css 200
# Four requests may wait on the database at once; the others get 503 at once.
check "stalled database: 50 connections on /api/summary.json, 46 answered within 3 s, report.css under 1 s" \
	$stress storm "$s_port" /api/summary.json 50 /reports/2026-W27/report.css 46

# --- error answers name no path and no SQL -----------------------------------
start_reportd n --set "database.conninfo=host=$tmp/nopg dbname=crmx user=crmx"
N=http://127.0.0.1:$n_port
: >"$tmp/errors"
for u in /healthz /api/summary.json /nothing /reports/2026-W99/ /reports/2026-W27/nothing.css \
         /reports/2026-W27/../../x.css; do
	curl -s --path-as-is "$N$u" >>"$tmp/errors"
done
curl -s -X DELETE "$N/healthz" >>"$tmp/errors"
check "error answers were given" test -s "$tmp/errors"
check "error answers name no path, socket or SQL" \
	absent -E "$tmp|/tmp|\\.s\\.PGSQL|SELECT|FROM " "$tmp/errors"
check "the log keeps the reason" grep -q 's.PGSQL' "$tmp/n.log"

# --- symlinks inside the report folder ---------------------------------------
code() { curl -s -o "$tmp/body" -w '%{http_code}' "$N$1"; }
check "a regular report file is served" test "$(code /reports/2026-W27/report.css)" = 200
check "a symlinked file in a week: 404" test "$(code /reports/2026-W27/leak.css)" = 404
check "a file under a symlinked folder in a week: 404" test "$(code /reports/2026-W27/linked/x.svg)" = 404
check "a symlinked week folder: 404" test "$(code /reports/2026-W30/index.html)" = 404
check "a symlinked week is not listed" sh -c "curl -s '$N/reports/' | grep -q 2026-W27 && ! curl -s '$N/reports/' | grep -q 2026-W30"

# --- HTTP/1.1 without Host ---------------------------------------------------
st=$($stress raw "$n_port" 'GET /reports/2026-W27/report.css HTTP/1.1\r\n\r\n')
check "HTTP/1.1 without Host: 400 ($st)" sh -c "echo '$st' | grep -q '^HTTP/1.1 400'"
st=$($stress raw "$n_port" 'GET /reports/2026-W27/report.css HTTP/1.1\r\nHost: r\r\n\r\n')
check "HTTP/1.1 with Host: 200 ($st)" sh -c "echo '$st' | grep -q '^HTTP/1.1 200'"
st=$($stress raw "$n_port" 'GET /reports/2026-W27/report.css HTTP/1.0\r\n\r\n')
check "HTTP/1.0 without Host: 200 ($st)" sh -c "echo '$st' | grep -q '^HTTP/1.[01] 200'"

# --- slowloris -------------------------------------------------------------------
# 300 clients from ten addresses send a request line and then a header
# byte every 2 s for 30 s (reconnecting when closed); a client on
# 127.0.0.1 keeps fetching report.css.  With a 10 s deadline for a request,
# no slow connection lives past ~11 s.
check "300 slow clients: another client is served throughout, slow ones cut at the deadline" \
	$stress slowloris "$n_port" 300 30 10 /reports/2026-W27/report.css 12

for p in $pids; do kill "$p" 2>/dev/null; done
for p in $pids; do wait "$p" 2>/dev/null; done
pids=""
if grep -q 'ERROR: \(AddressSanitizer\|LeakSanitizer\)\|runtime error' "$tmp"/*.log; then
	fail "sanitizer reports in reportd's logs"; grep -h -A20 'Sanitizer\|runtime error' "$tmp"/*.log | head -60
fi
