#!/bin/sh
# Writes a complete nginx configuration around crmx-tryton.conf.in for a
# local instance (make run CRM=tryton, the tests):
#   deploy/tryton/site.sh DIR PORT TRYTOND_ADDR FCGI_SOCKET
# DIR gets nginx.conf, logs and temp folders; nginx runs with -p DIR.
set -eu
dir=$1 port=$2 trytond=$3 sock=$4
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mkdir -p "$dir/logs" "$dir/tmp"
user=""
[ "$(id -u)" -eq 0 ] && user="user www-data;"
{
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
	sed -e "s|@LISTEN@|127.0.0.1:$port|" -e "s|@TRYTOND@|$trytond|" \
	    -e "s|@FCGI@|unix:$sock|" -e "s|@STATIC@|$top/fcgi/static|" \
	    -e "s|@SAO_EXTRA@|$here|" "$here/crmx-tryton.conf.in"
	echo "}"
} >"$dir/nginx.conf"
