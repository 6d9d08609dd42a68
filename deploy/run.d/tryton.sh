# `make run CRM=tryton` service: trytond (with its web client sao) and the
# nginx site of deploy/tryton/ that puts sao, trytond and the crmx panels
# on one origin, the panels knowing the Tryton user by their session.
# Does nothing for other CRMs.  Sourced by deploy/run-local ($top, $var,
# $conf, $O, $CRM); uses the crmx.fcgi socket the panels service started.
tryton_port=${CRMX_TRYTON_PORT:-8000}
tryton_http_port=${CRMX_TRYTON_HTTP_PORT:-8089}
tryton_dir=$var/tryton-site

start_service() {
	[ "$CRM" = tryton ] || return 0
	stop_service >/dev/null 2>&1 || true
	mkdir -p "$tryton_dir"
	chmod 755 "$tryton_dir"
	sed "s|^listen = .*|listen = 127.0.0.1:$tryton_port|" "$var/tryton/trytond.conf" \
		>"$tryton_dir/trytond.conf"
	/usr/bin/python3 -W ignore /usr/bin/trytond -c "$tryton_dir/trytond.conf" \
		>>"$tryton_dir/trytond.log" 2>&1 &
	echo $! >"$tryton_dir/trytond.pid"
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		[ -S "$var/run/crmx.fcgi.sock" ] && curl -s -o /dev/null "http://127.0.0.1:$tryton_port/" && break
		sleep 0.3
	done
	"$top/deploy/nginx-conf.sh" tryton "$tryton_dir" "$tryton_http_port" "$var/run/crmx.fcgi.sock" \
		"127.0.0.1:$tryton_port"
	nginx -p "$tryton_dir" -c "$tryton_dir/nginx.conf" -e "$tryton_dir/logs/error.log"
}

stop_service() {
	[ -f "$tryton_dir/nginx.pid" ] && kill "$(cat "$tryton_dir/nginx.pid")" 2>/dev/null
	[ -f "$tryton_dir/trytond.pid" ] && kill "$(cat "$tryton_dir/trytond.pid")" 2>/dev/null
	rm -f "$tryton_dir/nginx.pid" "$tryton_dir/trytond.pid"
	return 0
}

describe_service() {
	[ "$CRM" = tryton ] || return 0
	echo "  Tryton:    http://127.0.0.1:$tryton_http_port/   (sao; database tryton; logins alice, bob,"
	echo "             carol, dave; password crmx-demo-2026) — the \"crmx\" button opens the panels"
	echo "             with the Tryton session; trytond itself on 127.0.0.1:$tryton_port"
}
