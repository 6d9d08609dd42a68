# Sourced by the panel tests: a copy of the demo database with a metrics
# run, crmx.fcgi behind a real nginx with basic authentication (every demo
# login, password "demo", plus "ghost" whom crmx does not know), and
# helpers.  Needs $top, $O and CRMX_TEST_PGHOST; sets $tmp, $base, $ci,
# $db and the functions q (SQL on the copy) and get (an HTTP request).
#   panels_env_start DBNAME   returns 1 (after reporting) when it cannot start
#   panels_fcgi_start         (re)starts crmx.fcgi alone (ending the one
#                             it started before); its pid in $fcgi_pid
# Knobs: PANELS_FCGI_WRAP, a command put before crmx.fcgi (valgrind ...);
# PANELS_FCGI_WORKERS (2); PANELS_FCGI_SET, more S.K=V settings;
# PANELS_DB_READY=1: DBNAME exists with its runs (no copy, no run made).
host=${CRMX_TEST_PGHOST:?}
tmp=$(mktemp -d)
chmod 755 "$tmp"
fcgi_pid=""
panels_env_stop() {
	[ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null
	[ -n "$fcgi_pid" ] && kill "$fcgi_pid" 2>/dev/null
	sleep 0.2
	psql -h "$host" -U crmx -d crmx -X -qc "DROP DATABASE IF EXISTS $db" 2>/dev/null
	rm -rf "$tmp"
}
q() { psql -h "$host" -U crmx -d "$db" -X -Atqc "$1"; }

# get USER PATH [curl args]: body in $tmp/body, headers in $tmp/head; prints the status
get() {
	u=$1 p=$2; shift 2
	curl -s -o "$tmp/body" -D "$tmp/head" -w '%{http_code}' -u "$u:demo" "$@" "$base$p"
}

# json EXPR: evaluates a Python expression over the last body as j
json() { /usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($1)" "$tmp/body"; }

panels_fcgi_start() {
	# a restart: the running one (and its workers) ends first, not left behind
	if [ -n "$fcgi_pid" ]; then
		kill "$fcgi_pid" 2>/dev/null
		wait "$fcgi_pid" 2>/dev/null || true
	fi
	rm -f "$tmp/fcgi.sock"
	sets=""
	for kv in ${PANELS_FCGI_SET:-}; do sets="$sets --set $kv"; done
	# shellcheck disable=SC2086
	${PANELS_FCGI_WRAP:-} "$top/$O/fcgi/crmx.fcgi" --set "database.conninfo=$ci" \
		--set "fcgi.listen=$tmp/fcgi.sock" --set "fcgi.socket_group=$("$top/deploy/nginx-group")" \
		--set "fcgi.workers=${PANELS_FCGI_WORKERS:-2}" --set fcgi.body_max=4096 $sets 2>>"$tmp/fcgi.log" &
	fcgi_pid=$!
	for i in $(seq 150); do [ -S "$tmp/fcgi.sock" ] && break; sleep 0.2; done
}

panels_env_start() {
	db=$1
	ci="host=$host dbname=$db user=crmx"
	if [ -z "${PANELS_DB_READY:-}" ]; then
		psql -h "$host" -U crmx -d crmx -X -qc "DROP DATABASE IF EXISTS $db" 2>/dev/null
		psql -h "$host" -U crmx -d crmx -X -qc "CREATE DATABASE $db TEMPLATE crmx_demo"
		"$top/$O/reportd/crmx-reportd" --set "database.conninfo=$ci" --run-once --as-of 2026-06-30 \
			>/dev/null 2>"$tmp/run.log" || { fail "metrics run for the panels"; cat "$tmp/run.log"; return 1; }
	fi
	hash=$(openssl passwd -apr1 demo)
	{ q "SELECT login FROM crmx_src.users"; echo ghost; } | sed "s|\$|:$hash|" >"$tmp/htpasswd"
	chmod 644 "$tmp/htpasswd"
	port=$(free_port)
	"$top/deploy/nginx-conf.sh" panels "$tmp" "$port" "$tmp/fcgi.sock" "$tmp/htpasswd"
	panels_fcgi_start
	[ -S "$tmp/fcgi.sock" ] || { fail "crmx.fcgi listens"; cat "$tmp/fcgi.log"; return 1; }
	nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/logs/error.log" || { fail "nginx starts"; return 1; }
	base=http://127.0.0.1:$port
}

# same_pages A B N WHAT: two sets of pages of the same requests, read into
# $tmp/A and $tmp/B (a request not answered 200 noted in $tmp/A.bad or
# $tmp/B.bad), all answered, N of them, and byte for byte the same.
same_pages() {
	check "every page answered 200 ($1)" [ ! -e "$tmp/$1.bad" ]
	check "every page answered 200 ($2)" [ ! -e "$tmp/$2.bad" ]
	check "pages were read ($3)" [ "$(ls "$tmp/$2" | wc -l)" -eq "$3" ]
	check "$4" diff -r "$tmp/$1" "$tmp/$2"
}

# panel_statement AWK_PATTERN: the text of the one statement of
# `crmx.fcgi --statements` (header line and ';' left off) whose record,
# header included, matches AWK_PATTERN; for the tests that PREPARE and
# EXPLAIN or run a statement as the panels do.
panel_statement() {
	"$top/$O/fcgi/crmx.fcgi" --statements | awk -v p="$1" 'BEGIN { RS = "" } $0 ~ p' |
		tail -n +2 | sed 's/;$//'
}
