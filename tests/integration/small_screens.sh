#!/bin/sh
# Every view on a phone and a desktop (issue 14): headless Chromium opens
# each panel page (accounts list, account, deal, pipeline, regions, team) in
# English and Chinese in frames 390 px and 1400 px wide
# (tests/browser/figures.html, served under the panels' own login) and
# finds every key figure (number cells and heads, key-value values, the
# count, the line under the title): each must have a box, be visible and
# lie within the page's width, no page may be wider than its frame, and
# no card of a table of cards may be drawn as the lists' legend row, nor
# an item of the top bar lie outside it.
# Screenshots of every view at both widths stay in $O/screenshots/small
# for a person to look at.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "small screens" "nginx not installed"; exit 0; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { skip "small screens" "chromium not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
trap panels_env_stop EXIT
panels_env_start t_small || exit 0
shots=$top/$O/screenshots/small
mkdir -p "$shots"
hp=${base#http://}

# The checker, on the panels' origin and behind the same login (so that
# the frames' requests carry the credentials the page was opened with).
mkdir -p "$tmp/check"
cp "$top/tests/browser/figures.html" "$top/tests/browser/figures.js" "$tmp/check/"
chmod -R a+rX "$tmp/check"
cat >"$tmp/conf.d/check.conf" <<CONF
location /crmx-check/ {
    auth_basic "crmx demo";
    auth_basic_user_file $tmp/htpasswd;
    alias $tmp/check/;
}
CONF
kill -HUP "$(cat "$tmp/nginx.pid")"
wait_for 10 sh -c "curl -s -o /dev/null -w '%{http_code}' -u exec:demo '$base/crmx-check/figures.html' | grep -q 200"

acct=$(q "SELECT a.account_id FROM crmx_src.accounts a JOIN crmx.latest_account_metrics m USING (account_id)
          WHERE EXISTS (SELECT 1 FROM crmx_src.opportunities o WHERE o.account_id = a.account_id AND o.outcome = 'open')
            AND EXISTS (SELECT 1 FROM crmx_src.opportunities o WHERE o.account_id = a.account_id AND o.outcome = 'lost')
          ORDER BY m.revenue_window DESC LIMIT 1")
deal=$(q "SELECT o.opportunity_id FROM crmx_src.opportunities o WHERE o.outcome = 'open'
          AND (SELECT count(*) FROM crmx_src.stage_history h WHERE h.opportunity_id = o.opportunity_id) >= 3
          ORDER BY o.amount DESC LIMIT 1")
views="accounts=/crmx/accounts account=/crmx/accounts/$acct deal=/crmx/deals/$deal pipeline=/crmx/pipeline regions=/crmx/regions team=/crmx/team"

chrome() {	# chrome ARGS...: headless Chromium with its own profile
	prof=$(mktemp -d)
	"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--hide-scrollbars --user-data-dir="$prof" "$@" 2>/dev/null
	rm -rf "$prof"
}

# One checker page for all views, languages and widths.
list=""
for v in $views; do
	for lang in en zh-CN; do
		for w in 390 1400; do
			list="$list${list:+,}$w|${v#*=}?lang=$lang"
		done
	done
done
frag=$(/usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$list")
chrome --window-size=1500x1000 --dump-dom "http://exec:demo@$hp/crmx-check/figures.html#$frag" >"$tmp/figures.html"
sed -n '/<pre id="out">/,/<\/pre>/p' "$tmp/figures.html" | sed -e 's/<[^>]*>//g' >"$tmp/figures.txt"
cp "$tmp/figures.txt" "$shots/figures.txt"
n=$(grep -c ' figures=' "$tmp/figures.txt")
check "the checker reports on every page (24 = $n)" test "$n" -eq 24
while read -r w path rest; do
	[ -n "$rest" ] || continue
	figs=$(printf '%s\n' "$rest" | sed -n 's/.*figures=\([0-9]*\).*/\1/p')
	hid=$(printf '%s\n' "$rest" | sed -n 's/.* hidden=\([0-9]*\).*/\1/p')
	leg=$(printf '%s\n' "$rest" | sed -n 's/.* legends=\([0-9]*\).*/\1/p')
	nav=$(printf '%s\n' "$rest" | sed -n 's/.* navout=\([0-9]*\).*/\1/p')
	over=$(printf '%s\n' "$rest" | sed -n 's/.* overflow=\([0-9]*\).*/\1/p')
	check "$path at $w px: has key figures ($figs)" test "${figs:-0}" -gt 0
	check "$path at $w px: every key figure visible (hidden: $hid)${rest#*overflow=[0-9]*}" \
		test "${hid:-1}" -eq 0
	check "$path at $w px: no card drawn as a legend (legends: ${leg:-?})" test "${leg:-1}" -eq 0
	check "$path at $w px: the top bar holds its links and the viewer's name (outside: ${nav:-?})" \
		test "${nav:-1}" -eq 0
	check "$path at $w px: no sideways scrolling (overflow: ${over:-?} px)" test "${over:-1}" -le 0
done <"$tmp/figures.txt"

# Screenshots for a person to look at, and a check that each is a picture.
for v in $views; do
	for lang in en zh-CN; do
		for size in 390x2400 1400x1400; do
			png=$shots/${v%%=*}-$lang-${size%%x*}.png
			rm -f "$png"
			chrome --window-size="$size" --screenshot="$png" "http://exec:demo@$hp${v#*=}?lang=$lang" >/dev/null
			set -- $(/usr/bin/python3 "$top/tests/lib/pngstat.py" "$png" 2>/dev/null || echo 0 0 0 0)
			check "screenshot ${v%%=*} $lang ${size%%x*} px is a picture ($3 colours)" test "$3" -ge 20
		done
	done
done
exit 0
