#!/bin/sh
# crmx's one nginx configuration writer, for `make run`, the tests and the
# benchmark.  It writes DIR/nginx.conf for a local instance (nginx runs
# with -p DIR), with its logs and temp folders under DIR:
#   deploy/nginx-conf.sh panels DIR PORT SOCKET HTPASSWD [HELLO_SOCKET]
#     The panels behind basic authentication.  SOCKET may list several
#     crmx.fcgi instances, comma-separated (unix socket paths or
#     HOST:PORT): one upstream, each request to one of them, the next one
#     when an instance does not answer.  HELLO_SOCKET (the panel
#     benchmark) adds /hello, a trivial FastCGI program behind the same
#     authentication and FastCGI settings.  Files DIR/conf.d/*.conf add
#     locations (reports below: /reports/).
#   deploy/nginx-conf.sh tryton DIR PORT SOCKET TRYTOND_ADDR
#     The site of deploy/tryton/crmx-tryton.conf.in: Tryton's web client,
#     trytond and the panels on one origin, the panels knowing the Tryton
#     user by their session.
#   deploy/nginx-conf.sh reports DIR REPORTD_HOST:PORT HTPASSWD_EXEC
#     Adds the /reports/ location (crmx-reportd, executives only: the
#     logins HTPASSWD_EXEC lists) to a panels site written before, as
#     DIR/conf.d/reports.conf; a reload of nginx (HUP) takes it.
set -eu
usage() {
	echo "usage: $0 panels DIR PORT SOCKET HTPASSWD [HELLO_SOCKET]" >&2
	echo "       $0 tryton DIR PORT SOCKET TRYTOND_ADDR" >&2
	echo "       $0 reports DIR REPORTD_HOST:PORT HTPASSWD_EXEC" >&2
	exit 2
}
top=$(cd "$(dirname "$0")/.." && pwd)

# The /reports/ location, included by the panels site.
reports_location() {
	cat <<CONF
location /reports/ {
    auth_basic "crmx reports (executives)";
    auth_basic_user_file $2;
    limit_except GET { deny all; }
    proxy_pass http://$1;
    proxy_http_version 1.1;
    proxy_set_header Host \$host;
    proxy_set_header X-Remote-User \$remote_user;
}
CONF
}

if [ "${1:-}" = reports ]; then
	[ $# -eq 4 ] || usage
	mkdir -p "$2/conf.d"
	reports_location "$3" "$4" >"$2/conf.d/reports.conf"
	exit 0
fi
[ $# -ge 5 ] || usage
kind=$1 dir=$2 port=$3 sock=$4

# The main and http parts every site shares.
preamble() {
	user=""
	[ "$(id -u)" -eq 0 ] && user="user www-data;"
	cat <<CONF
$user
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path $dir/tmp/body;
    fastcgi_temp_path $dir/tmp/fastcgi;
    proxy_temp_path $dir/tmp/proxy;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
CONF
}

# The panels' FastCGI address: unix:PATH, HOST:PORT, or the upstream of
# several (written by upstream_block).
fcgi_addr() {
	case $1 in
	*,*)	echo crmx_panels ;;
	/*)	echo "unix:$1" ;;
	*)	echo "$1" ;;
	esac
}
upstream_block() {
	case $1 in *,*) ;; *) return 0 ;; esac
	echo "    upstream crmx_panels {"
	echo "$1" | tr ',' '\n' | while read -r s; do
		[ -n "$s" ] || continue
		echo "        server $(fcgi_addr "$s") max_fails=1 fail_timeout=5s;"
	done
	echo "    }"
}

panels_server() {
	htpasswd=$1 hello=${2:-}
	upstream_block "$sock"
	mkdir -p "$dir/conf.d"
	# What crmx.fcgi reads, and nothing that could carry a second identity.
	cat >"$dir/crmx_fastcgi_params" <<'PARAMS'
fastcgi_param REQUEST_METHOD $request_method;
fastcgi_param REQUEST_URI $request_uri;
fastcgi_param QUERY_STRING $query_string;
fastcgi_param CONTENT_TYPE $content_type;
fastcgi_param CONTENT_LENGTH $content_length;
fastcgi_param REMOTE_USER $remote_user;
PARAMS
	cat <<CONF
    server {
        listen 127.0.0.1:$port;
        location = / { return 302 /crmx/accounts; }
        location /crmx/static/ { alias $top/fcgi/static/; }
        location /crmx/ {
            auth_basic "crmx demo";
            auth_basic_user_file $htpasswd;
            client_max_body_size 64k;
            # a whole panel (the pipeline is ~25 KB) in one buffer
            fastcgi_buffer_size 32k;
            fastcgi_buffers 8 32k;
            include $dir/crmx_fastcgi_params;
            fastcgi_pass $(fcgi_addr "$sock");
        }
$([ -z "$hello" ] || cat <<HELLO
        location = /hello {
            auth_basic "crmx demo";
            auth_basic_user_file $htpasswd;
            include $dir/crmx_fastcgi_params;
            fastcgi_pass unix:$hello;
        }
HELLO
)
        # More locations from other services (deploy/nginx-conf.sh reports: /reports/).
        include $dir/conf.d/*.conf;
    }
CONF
}

tryton_server() {
	here=$top/deploy/tryton
	sed -e "s|@LISTEN@|127.0.0.1:$port|" -e "s|@TRYTOND@|$1|" \
	    -e "s|@FCGI@|unix:$sock|" -e "s|@STATIC@|$top/fcgi/static|" \
	    -e "s|@SAO_EXTRA@|$here|" "$here/crmx-tryton.conf.in"
}

shift 4
case $kind in
panels)	[ $# -le 2 ] || usage ;;
tryton)	[ $# -eq 1 ] || usage ;;
*)	usage ;;
esac
mkdir -p "$dir/logs" "$dir/tmp"
{
	preamble
	"${kind}_server" "$@"
	echo "}"
} >"$dir/nginx.conf"
