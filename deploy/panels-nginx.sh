#!/bin/sh
# Writes an nginx configuration that serves the crmx panels on a local
# port with basic authentication, for `make run` and the tests:
#   deploy/panels-nginx.sh DIR PORT SOCKET HTPASSWD [HELLO_SOCKET]
# DIR gets nginx.conf, logs and temp folders; nginx runs with -p DIR.
# HELLO_SOCKET (the panel benchmark) adds /hello, a trivial FastCGI
# program behind the same authentication and FastCGI settings.
# Files DIR/conf.d/*.conf add locations to the server.
set -eu
dir=$1 port=$2 sock=$3 htpasswd=$4 hello=${5:-}
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir/logs" "$dir/tmp" "$dir/conf.d"
user=""
[ "$(id -u)" -eq 0 ] && user="user www-data;"
# What crmx.fcgi reads, and nothing that could carry a second identity.
cat >"$dir/crmx_fastcgi_params" <<'PARAMS'
fastcgi_param REQUEST_METHOD $request_method;
fastcgi_param REQUEST_URI $request_uri;
fastcgi_param QUERY_STRING $query_string;
fastcgi_param CONTENT_TYPE $content_type;
fastcgi_param CONTENT_LENGTH $content_length;
fastcgi_param REMOTE_USER $remote_user;
PARAMS
cat >"$dir/nginx.conf" <<CONF
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
            fastcgi_pass unix:$sock;
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
        # More locations from other services (deploy/run.d/reportd.sh: /reports/).
        include $dir/conf.d/*.conf;
    }
}
CONF
