# `make run` service: crmx-reportd (the weekly report daemon) with reports
# in English and Chinese, a first report from the demo data, and the
# /reports/ location in the nginx of panels.sh for executive logins.
# Sourced by deploy/run-local, which defines $top, $var, $conf and $O.
reportd_dir=$var/reportd
reportd_nginx=$var/nginx

reportd_listen() {
	"$top/$O/reportd/crmx-reportd" --config "$conf" --print-config |
		sed -n '/^\[reportd\]/,/^\[/s/^listen = //p'
}

start_service() {
	stop_service >/dev/null 2>&1 || true
	mkdir -p "$reportd_dir"
	addr=$(reportd_listen)
	"$top/$O/reportd/crmx-reportd" --config "$conf" --set reportd.language=en,zh-CN \
		>>"$reportd_dir/reportd.log" 2>&1 &
	echo $! >"$reportd_dir/reportd.pid"
	for i in $(seq 1 50); do
		curl -s -o /dev/null "http://$addr/healthz" && break
		sleep 0.1
	done
	# The first report, from the demo data, once.
	if ! ls "$var"/reports/*/index.html >/dev/null 2>&1; then
		as_of=$(psql "$("$top/deploy/pgctl" conninfo "$var/pg")" -X -Atqc \
			"SELECT substring(value from 'anchor ([0-9-]+)') FROM crmx.settings WHERE key = 'demo'" 2>/dev/null || true)
		curl -s -o /dev/null -X POST "http://$addr/api/runs${as_of:+?as_of=$as_of}"
		for i in $(seq 1 120); do
			ls "$var"/reports/*/index.html >/dev/null 2>&1 && break
			sleep 0.5
		done
		ls "$var"/reports/*/index.html >/dev/null 2>&1 ||
			echo "run: the first report is not written yet (see $reportd_dir/reportd.log)"
	fi
	# Executives only: a password file with the exec and admin logins.
	if [ -d "$reportd_nginx" ]; then
		hash=$(openssl passwd -apr1 demo)
		psql "$("$top/deploy/pgctl" conninfo "$var/pg")" -X -Atqc \
			"SELECT login FROM crmx_src.users WHERE role IN ('exec', 'admin')" |
			sed "s|\$|:$hash|" >"$reportd_nginx/htpasswd-exec"
		chmod 644 "$reportd_nginx/htpasswd-exec"
		"$top/deploy/nginx-conf.sh" reports "$reportd_nginx" "$addr" "$reportd_nginx/htpasswd-exec"
		[ -f "$reportd_nginx/nginx.pid" ] && kill -HUP "$(cat "$reportd_nginx/nginx.pid")" 2>/dev/null
	fi
	return 0
}

stop_service() {
	[ -f "$reportd_dir/reportd.pid" ] && kill "$(cat "$reportd_dir/reportd.pid")" 2>/dev/null
	rm -f "$reportd_dir/reportd.pid"
}

describe_service() {
	addr=$(reportd_listen)
	execs=$(psql_q "SELECT string_agg(login, ', ' ORDER BY login) FROM crmx_src.users WHERE role IN ('exec', 'admin')")
	echo "  report:    http://127.0.0.1:${CRMX_HTTP_PORT:-8088}/reports/latest/   (executives: ${execs:-none}; password demo)"
	echo "             http://127.0.0.1:${CRMX_HTTP_PORT:-8088}/reports/latest/index.zh-CN.html   (in Chinese)"
	echo "             http://$addr/reports/latest/   (crmx-reportd itself, loopback; also /healthz, /metrics, /api/summary.json)"
}
