#!/bin/sh
# The daemons under valgrind's memcheck (issue 19): crmx.fcgi — master and
# every worker it forks — serves a scripted mix of 10,000 requests through
# nginx (every panel, JSON and HTML, both languages, list filters, bad
# requests, forms with their CSRF tokens; tests/lib/mix.sh), and
# crmx-reportd as a daemon makes a run with its report and mails it to a
# local SMTP server.  Each process must end with no invalid access and
# nothing definitely lost.  Only in the normal build (valgrind and the
# sanitizers do not mix).  VALGRIND_REQUESTS changes the count.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
PY=/usr/bin/python3
[ -z "${SANITIZE:-}" ] || { skip "valgrind on the daemons" "not with the sanitizers"; exit 0; }
command -v valgrind >/dev/null 2>&1 || { skip "valgrind on the daemons" "valgrind not installed"; exit 0; }
command -v nginx >/dev/null 2>&1 || { skip "valgrind on the daemons" "nginx not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
. "$top/tests/lib/mix.sh"
sink_pid="" rd_pid=""
cleanup() {
	for p in $sink_pid $rd_pid; do kill "$p" 2>/dev/null; done
	panels_env_stop
}
trap cleanup EXIT
mkdir -p "$tmp/vg"
vg="valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite --num-callers=30"
n=${VALGRIND_REQUESTS:-10000}

# vg_clean PREFIX WHAT MIN: every valgrind log PREFIX.* (one per process)
# finished with 0 errors, and there are at least MIN of them.
vg_logs=0 vg_bad=0
vg_clean() {
	logs=$(ls "$tmp/vg/$1".* 2>/dev/null | wc -l)
	bad=0
	for f in "$tmp/vg/$1".*; do
		[ -f "$f" ] || continue
		if ! grep -q 'ERROR SUMMARY: 0 errors' "$f"; then
			bad=$((bad + 1))
			echo "valgrind: $f:"
			grep -v '^==[0-9]*== *$' "$f" | head -n 60
		fi
	done
	echo "valgrind: $2: $logs processes, $bad with errors"
	vg_logs=$((vg_logs + logs)) vg_bad=$((vg_bad + bad))
	[ "$logs" -ge "$3" ] && [ "$bad" -eq 0 ]
}

# ---- crmx.fcgi: 10,000 requests --------------------------------------------
PANELS_FCGI_WRAP="$vg --log-file=$tmp/vg/fcgi.%p" PANELS_FCGI_WORKERS=2
panels_env_start t_valgrind || exit 0
mix_list "$tmp/mix.list"
t0=$(date +%s)
$PY "$top/tests/lib/loadmix.py" run --base "$base" --list "$tmp/mix.list" --count "$n" \
	--conns 4 >"$tmp/mix.out" 2>"$tmp/mix.err"
t1=$(date +%s)
cat "$tmp/mix.err"
kv() { sed -n "s/^$1=//p" "$tmp/mix.out"; }
echo "valgrind: crmx.fcgi served $(kv requests) requests in $((t1 - t0)) s" \
     "($(tr '\n' ' ' <"$tmp/mix.out"))"
check "crmx.fcgi under valgrind: $n requests, each answered as designed" \
	test "$(kv requests)" -ge "$n" -a "$(kv unexpected)" = 0
kill "$fcgi_pid"
for i in $(seq 300); do kill -0 "$fcgi_pid" 2>/dev/null || break; sleep 0.2; done
wait "$fcgi_pid"
check "crmx.fcgi stopped cleanly under valgrind" test $? = 0
fcgi_pid=""
check "crmx.fcgi, master and workers: no invalid access, nothing definitely lost" \
	vg_clean fcgi crmx.fcgi 3

# ---- crmx-reportd: a run, its report and its mail -------------------------
$PY -c 'import aiosmtpd' 2>/dev/null || { skip "reportd under valgrind" "python3-aiosmtpd not installed"; exit 0; }
$PY "$top/tests/lib/smtpd.py" --dir "$tmp/mail" --port-file "$tmp/smtp.port" 2>"$tmp/smtpd.log" &
sink_pid=$!
for i in $(seq 50); do [ -s "$tmp/smtp.port" ] && break; sleep 0.1; done
hport=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/reportd.conf" <<EOF
[database]
conninfo = $ci
[reportd]
listen = 127.0.0.1:$hport
report_dir = $tmp/reports
language = en, zh-CN
[mail]
transport = smtp
starttls = no
smtp_url = smtp://127.0.0.1:$(cat "$tmp/smtp.port")
from = crmx <reports@example.com>
recipients = ceo@example.com
recipients_zh_CN = zongjingli@example.cn
EOF
mkdir -p "$tmp/reports"
t0=$(date +%s)
# shellcheck disable=SC2086
$vg --child-silent-after-fork=yes --log-file="$tmp/vg/reportd.%p" \
	"$top/$O/reportd/crmx-reportd" --config "$tmp/reportd.conf" 2>"$tmp/reportd.log" &
rd_pid=$!
for i in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$hport/healthz" && break; sleep 0.2; done
curl -s -o /dev/null -X POST "http://127.0.0.1:$hport/api/runs?as_of=2026-07-07"
mails() { ls "$tmp/mail"/*.eml 2>/dev/null | wc -l; }
for i in $(seq 1500); do [ "$(mails)" -ge 2 ] && break; sleep 0.2; done
t1=$(date +%s)
echo "valgrind: crmx-reportd made the run, its report and mail in $((t1 - t0)) s"
check "reportd under valgrind: the report of 2026-W28 written" test -f "$tmp/reports/2026-W28/summary.json"
check "reportd under valgrind: mailed in both languages" test "$(mails)" = 2
kill "$rd_pid"
for i in $(seq 300); do kill -0 "$rd_pid" 2>/dev/null || break; sleep 0.2; done
wait "$rd_pid"
check "crmx-reportd stopped cleanly under valgrind" test $? = 0
rd_pid=""
check "crmx-reportd: no invalid access, nothing definitely lost" vg_clean reportd crmx-reportd 1
if [ -n "${CRMX_FIGURES:-}" ]; then
	{ echo "valgrind_requests $(kv requests)"; echo "valgrind_unexpected $(kv unexpected)"
	  echo "valgrind_processes $vg_logs"; echo "valgrind_processes_with_errors $vg_bad"; } >>"$CRMX_FIGURES"
fi
exit 0
