# `make run` service: crmx.fcgi behind a real nginx on a local port, with
# basic authentication for the demo logins (password "demo").  Sourced by
# deploy/run-local, which defines $top, $var, $conf and $O.
panels_port=${CRMX_HTTP_PORT:-8088}
panels_dir=$var/nginx

# backfill_runs AS_OF N: metric runs as of AS_OF and the N-1 weeks before
# it, oldest first (each sees the data as it stood then).
backfill_runs() {
	t0=$(date +%s)
	log=$var/run/backfill.log
	: >"$log"
	k=$(($2 - 1))
	while [ "$k" -ge 0 ]; do
		d=$(date -u -d "$1 - $((7 * k)) days" +%F)
		if ! "$top/$O/reportd/crmx-reportd" --config "$conf" --run-once --as-of "$d" \
			--format json >/dev/null 2>>"$log"; then
			tail -n 5 "$log"
			echo "run: the metrics run as of $d failed (see above)"
			return 0
		fi
		k=$((k - 1))
	done
	echo "run: $2 weekly metric runs to $1 in $(($(date +%s) - t0)) s"
}

start_service() {
	stop_service >/dev/null 2>&1 || true
	mkdir -p "$panels_dir" "$var/run"
	chmod 755 "$var" "$var/run" "$panels_dir"
	hash=$(openssl passwd -apr1 demo)
	psql "$("$top/deploy/pgctl" conninfo "$var/pg")" -X -Atqc "SELECT login FROM crmx_src.users" |
		sed "s|\$|:$hash|" >"$panels_dir/htpasswd"
	chmod 644 "$panels_dir/htpasswd"
	# Metrics for the panels, once, if no run exists yet: the weekly runs
	# of the last 26 weeks, so that week-over-week changes show at once.
	if [ -z "$(psql "$("$top/deploy/pgctl" conninfo "$var/pg")" -X -Atqc "SELECT 1 FROM crmx.latest_run" 2>/dev/null)" ]; then
		as_of=$(psql "$("$top/deploy/pgctl" conninfo "$var/pg")" -X -Atqc \
			"SELECT substring(value from 'anchor ([0-9-]+)') FROM crmx.settings WHERE key = 'demo'" 2>/dev/null || true)
		backfill_runs "${as_of:-$(date -u +%F)}" 26
	fi
	"$top/$O/fcgi/crmx.fcgi" --config "$conf" --set "fcgi.listen=$var/run/crmx.fcgi.sock" --set "fcgi.socket_group=$("$top/deploy/nginx-group")" \
		>>"$panels_dir/fcgi.log" 2>&1 &
	echo $! >"$panels_dir/fcgi.pid"
	for i in 1 2 3 4 5 6 7 8 9 10; do [ -S "$var/run/crmx.fcgi.sock" ] && break; sleep 0.2; done
	"$top/deploy/nginx-conf.sh" panels "$panels_dir" "$panels_port" "$var/run/crmx.fcgi.sock" "$panels_dir/htpasswd"
	nginx -p "$panels_dir" -c "$panels_dir/nginx.conf" -e "$panels_dir/logs/error.log"
}

stop_service() {
	[ -f "$panels_dir/nginx.pid" ] && kill "$(cat "$panels_dir/nginx.pid")" 2>/dev/null
	[ -f "$panels_dir/fcgi.pid" ] && kill "$(cat "$panels_dir/fcgi.pid")" 2>/dev/null
	rm -f "$panels_dir/nginx.pid" "$panels_dir/fcgi.pid"
}

describe_service() {
	# The logins and an account of the database in use (native demo or Tryton).
	logins=$(psql_q "SELECT string_agg(login, ', ' ORDER BY o, login) FROM (SELECT login,
	    CASE role WHEN 'exec' THEN 1 WHEN 'manager' THEN 2 WHEN 'rep' THEN 3 ELSE 4 END AS o,
	    row_number() OVER (PARTITION BY role ORDER BY login) AS n FROM crmx_src.users) u WHERE n <= 2")
	acct=$(psql_q "SELECT min(account_id) FROM crmx_src.accounts")
	echo "  panels:    http://127.0.0.1:$panels_port/crmx/accounts   (logins ${logins:-none yet} …; password demo)"
	echo "             http://127.0.0.1:$panels_port/crmx/accounts/${acct:-1}?lang=zh-CN   (an account panel, in Chinese)"
}
