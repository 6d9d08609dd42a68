#!/bin/sh
# The manual pages: each renders and is clean under `mandoc -Tlint` (the
# only notes allowed are a cross-reference to another crmx page, which
# mandoc cannot find before the pages are installed, and a word about the
# machine's own mandoc.db); crmx.conf(5) lists
# every key the programs know, section by section, and its generator
# refuses a key without a meaning.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
man="$top/$O/man"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

section "manual pages"
pages="$man/man5/crmx.conf.5 $man/man8/crmx.fcgi.8 $man/man8/crmx-reportd.8 $man/man8/crmx-admin.8"
for p in $pages; do
	n=$(basename "$p")
	check "$n is built" test -s "$p"
	mandoc -Tutf8 "$p" >"$tmp/$n.txt" 2>"$tmp/$n.err"
	check "$n renders" test -s "$tmp/$n.txt"
	mandoc -Tlint "$p" 2>&1 | grep -v -e 'STYLE: referenced manual not found: Xr crmx' \
		-e '^mandoc: outdated mandoc.db lacks' >"$tmp/$n.lint"
	if [ -s "$tmp/$n.lint" ]; then cat "$tmp/$n.lint"; fail "$n: mandoc -Tlint clean"
	else pass "$n: mandoc -Tlint clean"; fi
done

# Every key of `--print-config` is an item of its section in crmx.conf(5),
# and every item of the page is a key the programs print.
"$top/$O/admin/crmx-admin" --config /dev/null --print-config |
	awk '/^\[/ { s = substr($0, 2, length($0) - 2); next }
	     / = / || / =$/ { sub(/ =.*/, ""); print s "." $0 }' | sort >"$tmp/keys.program"
awk '/^\.Ss / { s = $2; gsub(/\\&|\[|\]/, "", s); next }
     /^\.It Cm / { print s "." $3 }' "$man/man5/crmx.conf.5" | sort >"$tmp/keys.page"
check "the programs print keys" test "$(wc -l <"$tmp/keys.program")" -ge 40
if cmp -s "$tmp/keys.program" "$tmp/keys.page"; then
	pass "crmx.conf(5) lists exactly the keys of --print-config ($(wc -l <"$tmp/keys.page"))"
else
	diff "$tmp/keys.program" "$tmp/keys.page"
	fail "crmx.conf(5) lists exactly the keys of --print-config"
fi

# The generator fails on a key without a meaning and on a meaning of a
# key that does not exist.
grep -v '^fcgi\.workers	' "$top/docs/man/crmx.conf.keys" >"$tmp/missing.keys"
if "$top/docs/man/mkconfman" "$top/common/config.c" "$tmp/missing.keys" 0 >/dev/null 2>"$tmp/err"; then
	fail "mkconfman refuses a key without a meaning"
else
	check "mkconfman refuses a key without a meaning" grep -q 'fcgi.workers' "$tmp/err"
fi
{ cat "$top/docs/man/crmx.conf.keys"; printf 'fcgi.no_such_key\tx\n'; } >"$tmp/extra.keys"
if "$top/docs/man/mkconfman" "$top/common/config.c" "$tmp/extra.keys" 0 >/dev/null 2>"$tmp/err"; then
	fail "mkconfman refuses a meaning of a key that does not exist"
else
	check "mkconfman refuses a meaning of a key that does not exist" grep -q 'no_such_key' "$tmp/err"
fi
