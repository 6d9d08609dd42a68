#!/bin/sh
# Identity with a real Tryton: trytond (serving sao) and crmx.fcgi behind
# the nginx site of deploy/tryton/.  A user logs in through Tryton's
# JSON-RPC, asks for a panel with the session sao would send, and gets
# their own data; a missing, wrong, forged or expired session gets 401.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
host=${CRMX_TEST_PGHOST:?}
conf0=${CRMX_TRYTON_WORK:-}/trytond.conf
if [ ! -f "$conf0" ] || ! command -v trytond >/dev/null 2>&1; then
	skip "identity with Tryton" "no Tryton database (Tryton not installed?)"; exit 0
fi
command -v nginx >/dev/null 2>&1 || { skip "identity with Tryton" "nginx not installed"; exit 0; }
tmp=$(mktemp -d)
chmod 755 "$tmp"
fcgi_pid="" trytond_pid=""
cleanup() {
	[ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null
	[ -n "$fcgi_pid" ] && kill "$fcgi_pid" 2>/dev/null
	[ -n "$trytond_pid" ] && kill "$trytond_pid" 2>/dev/null
	sleep 0.3
	rm -rf "$tmp"
}
trap cleanup EXIT

db=t_tryton_id
q() { psql -h "$host" -U crmx -d $db -X -Atqc "$1"; }
psql -h "$host" -U crmx -d crmx -X -qc "DROP DATABASE IF EXISTS $db" 2>/dev/null
psql -h "$host" -U crmx -d crmx -X -qc "CREATE DATABASE $db TEMPLATE crmx_tryton"
ci="host=$host dbname=$db user=crmx"
"$top/$O/reportd/crmx-reportd" --set "database.conninfo=$ci" --run-once --as-of 2026-06-30 \
	>/dev/null 2>"$tmp/run.log" || { fail "metrics run"; cat "$tmp/run.log"; exit 0; }

# Free ports, chosen by the kernel.
port=$(free_port)
tport=$(free_port); while [ "$tport" = "$port" ]; do tport=$(free_port); done
sed "s|^listen = .*|listen = 127.0.0.1:$tport|" "$conf0" >"$tmp/trytond.conf"
/usr/bin/python3 -W ignore /usr/bin/trytond -c "$tmp/trytond.conf" >"$tmp/trytond.log" 2>&1 &
trytond_pid=$!
"$top/$O/fcgi/crmx.fcgi" --set "database.conninfo=$ci" --set "fcgi.listen=$tmp/fcgi.sock" --set "fcgi.socket_group=$("$top/deploy/nginx-group")" \
	--set fcgi.workers=2 2>"$tmp/fcgi.log" &
fcgi_pid=$!
"$top/deploy/nginx-conf.sh" tryton "$tmp" "$port" "$tmp/fcgi.sock" "127.0.0.1:$tport"
# ready: crmx.fcgi listens and trytond answers
ready() { [ -S "$tmp/fcgi.sock" ] && curl -s -o /dev/null "http://127.0.0.1:$tport/"; }
wait_for 30 ready || { fail "crmx.fcgi and trytond start"; cat "$tmp/fcgi.log" "$tmp/trytond.log"; exit 0; }
nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/logs/error.log" || { fail "nginx starts"; exit 0; }
base=http://127.0.0.1:$port

eq() { check "$1 ($2 = $3)" same "$2" "$3"; }
code() { curl -s -o "$tmp/body" -w '%{http_code}' "$@"; }
eq "sao served on the same origin" "$(code "$base/")" 200
check "sao's index loads custom.js" grep -q 'custom.js' "$tmp/body"
eq "custom.js is crmx's" "$(code "$base/custom.js")" 200
check "custom.js sends the Tryton session" grep -q "'Session ' + s.get_auth()" "$tmp/body"

# Log in as sao does.
rpc() { curl -s -H 'Content-Type: application/json' -d "$1" "$base/$db/"; }
login=$(rpc '{"id": 1, "method": "common.db.login", "params": ["alice", {"password": "crmx-demo-2026"}, "en"]}')
uid=$(echo "$login" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["result"][0])')
key=$(echo "$login" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["result"][1])')
check "alice logs in through Tryton's JSON-RPC (uid $uid)" test -n "$key"
hdr() { printf 'Session %s' "$(printf '%s' "$1" | base64 -w0)"; }
good=$(hdr "alice:$uid:$key")
eq "the session works with Tryton itself" \
   "$(curl -s -H "Authorization: $good" -H 'Content-Type: application/json' \
        -d '{"id": 2, "method": "model.res.user.get_preferences", "params": [true, {}]}' \
        -o /dev/null -w '%{http_code}' "$base/$db/")" 200

panel() { code -H "Authorization: $1" "$base$2"; }
b() { /usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$tmp/body" "$1" 2>/dev/null; }
eq "pipeline with alice's session" "$(panel "$good" /crmx/pipeline.json)" 200
eq "alice's own open deals and weighted pipeline" \
   "$(b '"%d %.2f" % (sum(s["open"] for s in j["stages"]), sum(s["weighted"] for s in j["stages"]))')" "2 18000.00"
c1=$(q "SELECT party FROM sale_opportunity WHERE description = 'O1'")
eq "alice's customer panel" "$(panel "$good" "/crmx/accounts/$c1.json")" 200
eq "with its revenue" "$(b '"%.2f" % j["metrics"]["revenue_window"]')" 80000.00
eq "the embedded fragment for sao's side panel" "$(panel "$good" "/crmx/accounts/$c1?embed=1")" 200
check "is a fragment" grep -q '<div class="crmx crmx-embed">' "$tmp/body"
check "... without the page around it" absent '<html' "$tmp/body"
# The login written in the header is not trusted: the uid's is used.
eq "a header claiming carol with alice's session" "$(panel "$(hdr "carol:$uid:$key")" /crmx/pipeline.json)" 200
eq "still sees only alice's deals" "$(b 'sum(s["open"] for s in j["stages"])')" 2
eq "no session: 401" "$(code "$base/crmx/pipeline.json")" 401
eq "wrong key: 401" "$(panel "$(hdr "alice:$uid:0123456789abcdef")" /crmx/pipeline.json)" 401
eq "alice's key under bob's uid: 401" \
   "$(panel "$(hdr "bob:$(q "SELECT id FROM res_user WHERE login = 'bob'"):$key")" /crmx/pipeline.json)" 401
eq "not base64: 401" "$(panel 'Session ###' /crmx/pipeline.json)" 401
eq "basic auth is no session: 401" "$(code -u alice:crmx-demo-2026 "$base/crmx/pipeline.json")" 401
eq "a Basic header beside a session: refused" \
   "$(code -H "Authorization: $good" -H 'Authorization: Basic Y2Fyb2w6eA==' "$base/crmx/pipeline.json")" 400
eq "the session check is not reachable from outside" "$(panel "$good" /crmx/_session)" 404
# sao itself, in Chromium: custom.js's button opens the panel with the
# session sao holds, and links inside it load with that session too.
browser=$(command -v chromium || true)
if [ -z "$browser" ] || ! /usr/bin/python3 -c 'import websocket' 2>/dev/null; then
	skip "sao's crmx button in Chromium" "chromium or python3-websocket not installed"
elif timeout 120 /usr/bin/python3 "$top/tests/tryton/sao_check.py" "$browser" "$base" "$db" alice \
         "$uid" "$key" "$tmp" >"$tmp/sao.json" 2>"$tmp/sao.log"; then
	s() { /usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$tmp/sao.json" "$1"; }
	eq "sao's crmx button shows alice's pipeline (her open deals O9, O11; not bob's O10)" \
	   "$(s '" ".join(d for d in ("O9", "O10", "O11") if d in j["pipeline"].split())')" "O9 O11"
	eq "a link in the panel loads inside sao" "$(s 'j["location"]')" /
	check "with the session: the linked panel ($(s 'j["link"]'))" \
	      /usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert "Jinqiao Machinery" in j["account"] or "Pearl River Foods" in j["account"], j["account"][:200]' "$tmp/sao.json"
	eq "a form sent from the panel in sao is stored as alice's ($(s 'j["form"]'))" \
	   "$(q "SELECT count(*) FROM crmx.deal_review WHERE created_by = 'alice' AND evidence = 'checked in sao'")" 1
else
	cat "$tmp/sao.log"
	fail "sao's crmx button in Chromium"
fi

q "UPDATE ir_session SET create_date = create_date - interval '31 days' WHERE key = '$key'"
eq "a session older than Tryton's max_age: 401" "$(panel "$good" /crmx/pipeline.json)" 401
eq "Tryton agrees" \
   "$(curl -s -H "Authorization: $good" -H 'Content-Type: application/json' \
        -d '{"id": 3, "method": "model.res.user.get_preferences", "params": [true, {}]}' \
        -o /dev/null -w '%{http_code}' "$base/$db/")" 401
