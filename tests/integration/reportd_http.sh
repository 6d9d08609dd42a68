#!/bin/sh
# reportd's HTTP service against hostile report folders: symlinks in the
# report folder are not followed.  The reports are folders made here: no
# metrics run is needed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
reportd=$top/$O/reportd/crmx-reportd
tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	[ -n "${KEEP_TMP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

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

# start_reportd NAME CONNINFO [--set ...]: a daemon on a free port; sets
# NAME_port.
start_reportd() {
	name=$1 ci=$2; shift 2
	"$reportd" --set "database.conninfo=$ci" --set reportd.listen=127.0.0.1:0 \
		--set reportd.report_dir="$R" "$@" >"$tmp/$name.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	port=""
	for i in $(seq 1 50); do
		port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$tmp/$name.log")
		[ -n "$port" ] && break
		sleep 0.1
	done
	eval "${name}_port=$port"
}

start_reportd n "host=$tmp/nopg dbname=crmx user=crmx"
N=http://127.0.0.1:$n_port

# --- symlinks inside the report folder ---------------------------------------
code() { curl -s -o "$tmp/body" -w '%{http_code}' "$N$1"; }
check "a regular report file is served" test "$(code /reports/2026-W27/report.css)" = 200
check "a symlinked file in a week: 404" test "$(code /reports/2026-W27/leak.css)" = 404
check "a file under a symlinked folder in a week: 404" test "$(code /reports/2026-W27/linked/x.svg)" = 404
check "a symlinked week folder: 404" test "$(code /reports/2026-W30/index.html)" = 404
check "a symlinked week is not listed" sh -c "curl -s '$N/reports/' | grep -q 2026-W27 && ! curl -s '$N/reports/' | grep -q 2026-W30"

for p in $pids; do kill "$p" 2>/dev/null; done
for p in $pids; do wait "$p" 2>/dev/null; done
pids=""
if grep -q 'ERROR: \(AddressSanitizer\|LeakSanitizer\)\|runtime error' "$tmp"/*.log; then
	fail "sanitizer reports in reportd's logs"; grep -h -A20 'Sanitizer\|runtime error' "$tmp"/*.log | head -60
fi
