# Sourced by the screenshot tests (after panels-env.sh): headless Chromium
# against the panels, and a check that a screenshot is a real picture.
# Needs $browser, $shots (the folder the PNGs stay in) and $hp (nginx's
# HOST:PORT).

# chrome OUT.png WIDTHxHEIGHT URL: a screenshot, and the DOM in OUT.html
chrome() {
	prof=$(mktemp -d)
	"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--hide-scrollbars --user-data-dir="$prof" --window-size="$2" \
		--screenshot="$1" "$3" >/dev/null 2>&1
	"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$prof" --dump-dom "$3" >"${1%.png}.html" 2>/dev/null
	rm -rf "$prof"
}

# shot NAME USER SIZE PATH TEXT MIN_COLOURS: one page as USER (password
# demo), checked: taken, its DOM holds TEXT, and the picture has at least
# MIN_COLOURS colours and some ink but not too much.
shot() {
	sname=$1 user=$2 size=$3 path=$4 text=$5 mincol=$6
	chrome "$shots/$sname.png" "$size" "http://$user:demo@$hp$path"
	if [ ! -s "$shots/$sname.png" ]; then
		fail "screenshot $sname taken"
		return
	fi
	check "screenshot $sname: the page holds \"$text\"" grep -q "$text" "$shots/$sname.html"
	# shellcheck disable=SC2046
	set -- $(/usr/bin/python3 "$top/tests/lib/pngstat.py" "$shots/$sname.png")
	check "screenshot $sname is a real picture ($3 colours, ink $4)" \
		/usr/bin/python3 -c "import sys; sys.exit(not ($3 >= $mincol and 0.01 <= $4 <= 0.6))"
}
