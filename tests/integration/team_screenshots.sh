#!/bin/sh
# Headless Chromium takes the team view (/crmx/team) and a rep's pipeline
# (?owner=) as a manager and an executive (every team's row, then one team
# with ?team=), at 390 px (a phone: one card per rep or team) and 1400 px
# (a table), in English and Chinese, and an executive's second page of
# teams one at a time.  Each page's DOM must hold every rep
# (team) and every figure's label beside each value (so the cards show it), and each screenshot must be a real picture.  The PNGs
# stay in $O/screenshots for a person to look at.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "team screenshots" "nginx not installed"; exit 0; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { skip "team screenshots" "chromium not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
trap panels_env_stop EXIT
panels_env_start t_team_shots || exit 0
shots=$top/$O/screenshots
mkdir -p "$shots"
hp=${base#http://}
# past runs, so that forecast accuracy covers months (see team.sh)
for d in 2025-12-31 2026-01-31 2026-02-28 2026-03-31 2026-04-30 2026-05-31 2026-06-30; do
	"$top/$O/reportd/crmx-reportd" --set "database.conninfo=$ci" --run-once --as-of "$d" \
		>/dev/null 2>>"$tmp/run.log" || fail "metrics run as of $d"
done
rep=$(q "SELECT u.user_id FROM crmx_src.users u JOIN crmx_src.users m ON m.team = u.team
         WHERE m.login = 'manager1' AND u.role = 'rep' ORDER BY u.user_id LIMIT 1")

. "$top/tests/lib/shots.sh"
team_enc=$(q "SELECT team FROM crmx_src.users WHERE login = 'manager1'" |
           /usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read().strip(), safe=""))')

# every rep (team) of the page, and 17 labelled figures each
figures() {	# figures NAME USER [TEAMS]: a manager's reps, or the teams of all
	if [ -n "${3:-}" ]; then
		want=$(q "SELECT count(DISTINCT coalesce(u.team, '')) FROM crmx_src.users u WHERE u.role = 'rep'")
	else
		want=$(q "SELECT count(*) FROM crmx_src.users u WHERE u.role = 'rep' AND
		          u.team = (SELECT team FROM crmx_src.users WHERE login = '$2')")
	fi
	check "screenshot $1: $want ${3:-reps}, each with all 17 figures labelled" /usr/bin/python3 -c '
import re, sys
b = open(sys.argv[1], encoding="utf-8").read()
rows = re.findall(r"<tr><th class=\"rep\".*?</tr>", b, re.S)
assert len(rows) == int(sys.argv[2]), len(rows)
for r in rows:
    cells = re.findall(r"<td class=\"num\" data-label=\"[^\"]+\">(.*?)</td>", r, re.S)
    assert len(cells) == 17 and all(c.strip() for c in cells), r[:200]' "$shots/$1.html" "$want"
}

for lang in en zh-CN; do
	for w in 390 1400; do
		h=$([ "$w" = 390 ] && echo 3400 || echo 1000)
		n=team-manager-$lang-$w
		shot "$n" manager1 "${w}x$h" "/crmx/team?lang=$lang" 'class="list team cards"' 50
		figures "$n" manager1
		n=team-exec-$lang-$w
		shot "$n" exec "${w}x$h" "/crmx/team?lang=$lang" 'href="/crmx/team?team=' 50
		figures "$n" exec teams
		# a page of teams at a time (the demo's two teams one a page, the
		# second page): the count above the table, the pager below it
		n=team-exec-paged-$lang-$w
		shot "$n" exec "${w}x$h" "/crmx/team?size=1&page=2&lang=$lang" 'class="pageno"' 50
		check "screenshot $n: one team, counted 2 of 2, a link to the first page" /usr/bin/python3 -c '
import re, sys
b = open(sys.argv[1], encoding="utf-8").read()
assert len(re.findall(r"<tr><th class=\"rep\"", b)) == 1
assert re.search(r"<p class=\"count\">2\u20132 ", b) and b.index("class=\"count\"") < b.index("<table")
assert re.search(r"href=\"/crmx/team\?page=1&amp;[^\"]*size=1", b)' "$shots/$n.html"
		# an executive opens manager1's team: its reps, as the manager sees them
		n=team-exec-one-$lang-$w
		shot "$n" exec "${w}x$h" "/crmx/team?team=$team_enc&lang=$lang" 'class="list team cards"' 50
		figures "$n" manager1
		shot "pipeline-owner-$lang-$w" manager1 "${w}x$h" "/crmx/pipeline?owner=$rep&lang=$lang" 'class="meta accuracy"' 50
	done
done
check "Chinese amounts in 万" grep -q '万' "$shots/team-manager-zh-CN-390.html"
# A figure is one word: at 1400 px every amount cell of the executive's
# page in Chinese (¥36.5万) holds one line (a browser may break between
# any two CJK letters; crmx.css keeps them together).  The page's DOM with
# the stylesheet from the tree and a script that counts each amount's
# line boxes, laid out by Chromium at the screenshot's size.
sed -e "s|href=\"/crmx/static/crmx.css\"|href=\"file://$top/fcgi/static/crmx.css\"|" \
    -e 's|</body>|<script>var n = 0, bad = 0; document.querySelectorAll("td.num").forEach(function (td) { if (!/^[^ ]*万$/.test(td.textContent.trim())) return; var r = document.createRange(); r.selectNodeContents(td); var tops = {}; Array.prototype.forEach.call(r.getClientRects(), function (x) { tops[Math.round(x.top)] = 1; }); n++; if (Object.keys(tops).length > 1) bad++; }); document.body.setAttribute("data-wrapped", bad + "/" + n);</script></body>|' \
    "$shots/team-exec-zh-CN-1400.html" >"$tmp/wrap.html"
prof=$(mktemp -d)
"$browser" --headless --no-sandbox --disable-gpu --no-first-run --allow-file-access-from-files \
	--user-data-dir="$prof" --window-size=1400,1000 --dump-dom "file://$tmp/wrap.html" \
	>"$tmp/wrap.dom" 2>/dev/null
rm -rf "$prof"
wrapped=$(sed -n 's/.*data-wrapped="\([0-9]*\/[0-9]*\)".*/\1/p' "$tmp/wrap.dom" | head -n 1)
check "exec zh-CN 1400 px: no amount breaks before its 万 (wrapped/amounts: ${wrapped:-none measured})" \
	sh -c "case '$wrapped' in 0/0|'') exit 1 ;; 0/*) exit 0 ;; *) exit 1 ;; esac"
