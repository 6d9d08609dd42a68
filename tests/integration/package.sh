#!/bin/sh
# The Debian package as an admin meets it: `make deb` builds it, lintian
# finds no error or warning, each service's sandbox is rated OK or better
# by `systemd-analyze security`, it installs (system user, conffile only
# the crmx group reads, units, manual pages), its crmx-admin sets up a
# throwaway database, its programs run as their units would (user crmx,
# the units' own command lines, the panels on the socket the socket unit
# describes) and answer through nginx with the packaged location blocks,
# and a purge leaves nothing of it behind.  Root only; not in the
# sanitizer pass (the package is built without sanitizers).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
cd "$top"
host=${CRMX_TEST_PGHOST:?run through tests/run-all}
tmp=$(mktemp -d)
db=crmx_pkg
fcgi="" reportd="" nginx_pid=""
cleanup() {
	[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
	[ -n "$fcgi" ] && kill "$fcgi" $(pgrep -P "$fcgi") 2>/dev/null
	[ -n "$reportd" ] && kill "$reportd" 2>/dev/null
	if dpkg-query -W -f='${Status}' crmx 2>/dev/null | grep -q installed; then
		rm -f /etc/crmx/htpasswd /etc/crmx/htpasswd-exec
		dpkg --purge crmx >/dev/null 2>&1
	fi
	psql -h "$host" -U crmx -d postgres -X -qc "DROP DATABASE IF EXISTS $db" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

section "Debian package"
if [ "$(id -u)" -ne 0 ]; then skip "package" "needs root"; exit 0; fi
if [ -n "${SANITIZE:-}" ]; then skip "package" "built without sanitizers: normal pass only"; exit 0; fi
if dpkg-query -W -f='${Status}' crmx 2>/dev/null | grep -q installed; then
	fail "crmx is not installed before the test (remove it first)"; exit 0
fi

version=$(sed -n 's/^VERSION *:= *//p' Makefile)
check "debian/changelog's version is the Makefile's ($version)" \
	same "$(dpkg-parsechangelog -S Version)" "$version"
if make -s deb >"$tmp/deb.log" 2>&1; then pass "make deb"
else tail -30 "$tmp/deb.log"; fail "make deb"; exit 0; fi
deb=$(ls build/pkg/crmx_"$version"_*.deb)
check "one package built" test -s "$deb"

lintian --fail-on error,warning "$deb" >"$tmp/lintian" 2>&1
rc=$?
grep -v 'running with root privileges' "$tmp/lintian" | grep '^[EW]:' >"$tmp/lintian.ew"
if [ $rc -eq 0 ] && [ ! -s "$tmp/lintian.ew" ]; then pass "lintian: no error or warning"
else cat "$tmp/lintian"; fail "lintian: no error or warning"; fi

mkdir "$tmp/x" && dpkg-deb -x "$deb" "$tmp/x"
for u in crmx-fcgi.service crmx-reportd.service; do
	rating=$(systemd-analyze security --offline=yes "$tmp/x/lib/systemd/system/$u" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p')
	case $rating in
	*" PERFECT"|*" SAFE"|*" OK") pass "systemd-analyze security: $u is $rating" ;;
	*) fail "systemd-analyze security: $u is OK or better (got '${rating:-nothing}')" ;;
	esac
done

# Install, as an admin would (its dependencies are on a test machine).
if apt-get install -y -q --no-install-recommends "./$deb" >"$tmp/install.log" 2>&1; then
	pass "apt-get install ./$(basename "$deb")"
else tail -20 "$tmp/install.log"; fail "apt-get install"; exit 0; fi
dpkg -L crmx | sort >"$tmp/files"
check "installs the three programs" test -x /usr/bin/crmx.fcgi -a -x /usr/bin/crmx-reportd -a -x /usr/bin/crmx-admin
check "system user crmx" same "$(getent passwd crmx | cut -d: -f1)" crmx
check "/etc/crmx/crmx.conf is a conffile" grep -qx /etc/crmx/crmx.conf "$tmp/files"
check "/etc/crmx/crmx.conf only root writes, the crmx group reads" \
	same "$(stat -c '%U:%G %a' /etc/crmx/crmx.conf)" "root:crmx 640"
check "units installed" test -f /lib/systemd/system/crmx-fcgi.socket -a -f /lib/systemd/system/crmx-reportd.service
check "crmx-fcgi.socket and crmx-reportd are enabled" \
	test -e /etc/systemd/system/sockets.target.wants/crmx-fcgi.socket -a \
	     -e /etc/systemd/system/multi-user.target.wants/crmx-reportd.service
check "man crmx.conf renders" sh -c 'man -P cat 5 crmx.conf 2>/dev/null | grep -q "csrf_secret"'
check "/var/lib/crmx belongs to crmx" same "$(stat -c %U /var/lib/crmx)" crmx

# quiet COMMAND...: its output goes to a log, shown when it fails.
quiet() { "$@" >>"$tmp/cmd.log" 2>&1 || { tail -20 "$tmp/cmd.log"; return 1; }; }

# The admin's set-up with the packaged crmx-admin (its SQL from
# /usr/share/crmx), on a throwaway database reached through PG*.
export PGHOST="$host" PGDATABASE="$db" PGUSER=crmx
psql -d postgres -X -qc "CREATE DATABASE $db"
check "crmx-admin migrate" quiet /usr/bin/crmx-admin migrate
check "crmx-admin adapter native" quiet /usr/bin/crmx-admin adapter native
check "crmx-admin demo" quiet /usr/bin/crmx-admin demo --accounts 300 --seed 7

# A unit's setting: unit FILE KEY.
unit() { sed -n "s/^$2=//p" "/lib/systemd/system/$1" | head -n 1; }
user=$(unit crmx-fcgi.service User)
check "the services run as crmx" same "$user:$(unit crmx-reportd.service User)" crmx:crmx
sock=$(unit crmx-fcgi.socket ListenStream)
mkdir -p "$(dirname "$sock")"
# systemd hands crmx.fcgi the socket on standard input; spawn-fcgi does
# the same with the socket unit's owner, group and mode.
# shellcheck disable=SC2046
spawn-fcgi -n -s "$sock" -M "$(unit crmx-fcgi.socket SocketMode)" \
	-U "$(unit crmx-fcgi.socket SocketUser)" -G "$(unit crmx-fcgi.socket SocketGroup)" \
	-u "$user" -g "$(unit crmx-fcgi.service Group)" -- \
	$(unit crmx-fcgi.service ExecStart) >"$tmp/fcgi.log" 2>&1 &
fcgi=$!
check "the panels' socket appears" wait_for 20 test -S "$sock"
check "the socket is crmx:www-data 0660" same "$(stat -c '%U:%G %a' "$sock")" "crmx:www-data 660"

# The first report, then the daemon, as user crmx with the unit's command.
# shellcheck disable=SC2046
check "crmx-reportd --run-once --report as crmx" \
	quiet runuser -u crmx -- $(unit crmx-reportd.service ExecStart) --run-once --report
# shellcheck disable=SC2046
runuser -u crmx -- $(unit crmx-reportd.service ExecStart) >"$tmp/reportd.log" 2>&1 &
reportd=$!
check "crmx-reportd answers /healthz" wait_for 30 curl -fs -o /dev/null http://127.0.0.1:8091/healthz

# The CRM's site: a server block that includes the packaged locations.
rep=$(psql -X -Atqc "SELECT login FROM crmx_src.users WHERE role = 'rep' ORDER BY login LIMIT 1")
exe=$(psql -X -Atqc "SELECT login FROM crmx_src.users WHERE role = 'exec' ORDER BY login LIMIT 1")
hash=$(openssl passwd -apr1 demo)
printf '%s:%s\n' "$rep" "$hash" "$exe" "$hash" >/etc/crmx/htpasswd
printf '%s:%s\n' "$exe" "$hash" >/etc/crmx/htpasswd-exec
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$tmp/nginx/logs"
cat >"$tmp/nginx/nginx.conf" <<CONF
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log;
user www-data;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/body; fastcgi_temp_path $tmp/nginx/fcgi;
    proxy_temp_path $tmp/nginx/proxy; uwsgi_temp_path $tmp/nginx/uwsgi; scgi_temp_path $tmp/nginx/scgi;
    server {
        listen 127.0.0.1:$port;
        include /usr/share/crmx/deploy/nginx/crmx-panels.conf;
        include /usr/share/crmx/deploy/nginx/crmx-reports.conf;
    }
}
CONF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" &
nginx_pid=$!
url="http://127.0.0.1:$port"
check "nginx answers" wait_for 20 sh -c "curl -s -o /dev/null -w '%{http_code}' $url/crmx/accounts | grep -q 401"
code=$(curl -s -o "$tmp/accounts.html" -w '%{http_code}' -u "$rep:demo" "$url/crmx/accounts")
check "a rep's accounts panel through nginx: 200" same "$code" 200
check "... is the accounts panel" grep -q 'crmx' "$tmp/accounts.html"
check "... served with the packaged stylesheet" \
	same "$(curl -s -o /dev/null -w '%{http_code}' "$url/crmx/static/crmx.css")" 200
code=$(curl -s -o "$tmp/report.html" -w '%{http_code}' -u "$exe:demo" "$url/reports/latest/")
check "the executive's report through nginx: 200" same "$code" 200
check "... is a report with charts" grep -q 'charts/' "$tmp/report.html"
check "a rep is refused the report" same "$(curl -s -o /dev/null -w '%{http_code}' -u "$rep:demo" "$url/reports/latest/")" 401

# Purge: nothing of the package is left but the system user.
kill "$nginx_pid" "$reportd" $(pgrep -P "$fcgi") "$fcgi" 2>/dev/null
wait 2>/dev/null
nginx_pid="" reportd="" fcgi=""
rm -f /etc/crmx/htpasswd /etc/crmx/htpasswd-exec "$sock"
rmdir "$(dirname "$sock")" 2>/dev/null
if dpkg --purge crmx >"$tmp/purge.log" 2>&1; then pass "dpkg --purge crmx"
else cat "$tmp/purge.log"; fail "dpkg --purge crmx"; fi
left=""
while read -r f; do
	[ -d "$f" ] && continue	# folders, shared (/usr/bin ...) or checked below
	[ -e "$f" ] && left="$left $f"
done <"$tmp/files"
check "the package listed its files" test "$(wc -l <"$tmp/files")" -gt 20
check "purge leaves none of its files (${left:-none})" test -z "$left"
check "purge removes /etc/crmx, /var/lib/crmx, /usr/share/crmx" \
	test ! -e /etc/crmx -a ! -e /var/lib/crmx -a ! -e /usr/share/crmx -a ! -e /usr/share/doc/crmx
check "purge removes the conffile's permission override" sh -c '! dpkg-statoverride --list /etc/crmx/crmx.conf >/dev/null'
check "purge removes the units' links" sh -c '! ls /etc/systemd/system/*.wants/crmx-* >/dev/null 2>&1'
