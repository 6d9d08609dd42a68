#!/bin/sh
# Adds the /reports/ location (crmx-reportd behind nginx, executives only)
# to an nginx made by deploy/panels-nginx.sh, for `make run` and the tests:
#   deploy/reports-nginx.sh DIR REPORTD_HOST:PORT HTPASSWD_EXEC
# HTPASSWD_EXEC lists only the logins allowed to read reports.
set -eu
dir=$1 addr=$2 htpasswd=$3
mkdir -p "$dir/conf.d"
cat >"$dir/conf.d/reports.conf" <<CONF
location /reports/ {
    auth_basic "crmx reports (executives)";
    auth_basic_user_file $htpasswd;
    limit_except GET { deny all; }
    proxy_pass http://$addr;
    proxy_http_version 1.1;
    proxy_set_header Host \$host;
    proxy_set_header X-Remote-User \$remote_user;
}
CONF
