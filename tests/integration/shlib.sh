#!/bin/sh
# tests/lib/sh.sh's checks fail on nothing: each helper is run on an
# empty or missing input (it must fail) and on a good one (it must pass),
# so that a check built on them cannot pass by having nothing to look at.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
tmp=$(mktemp -d)
m="" lone=""
trap 'kill $lone $(pgrep -P "${m:-0}") $m 2>/dev/null; rm -rf "$tmp"' EXIT
# refuses NAME COMMAND...: the command must fail
refuses() { n=$1; shift; if "$@" 2>/dev/null; then fail "$n"; else pass "$n"; fi; }

printf 'a line\n' >"$tmp/body"
: >"$tmp/empty"
refuses "same: two empty values" same "" ""
refuses "same: one empty value" same "" x
refuses "same: different values" same x y
check "same: equal values" same 3 3

refuses "absent: a missing file" absent x "$tmp/nothing"
refuses "absent: an empty file" absent x "$tmp/empty"
refuses "absent: an empty file among good ones" absent x "$tmp/body" "$tmp/empty"
refuses "absent: no file named" absent x
refuses "absent: the pattern is there" absent 'a l' "$tmp/body"
refuses "absent: -i is passed to grep" absent -i 'A LINE' "$tmp/body"
check "absent: the pattern is not there" absent 'other' "$tmp/body"
check "absent: a pattern like an option" absent -E '-x|y' "$tmp/body"

refuses "wait_for: no command" wait_for 1
refuses "wait_for: no deadline" wait_for "" true
refuses "wait_for: a condition that stays false" wait_for 1 false
t0=$(date +%s)
(sleep 0.5; : >"$tmp/late") &
check "wait_for: waits for a condition that comes true" wait_for 10 test -e "$tmp/late"
check "... without waiting out its deadline" test $(($(date +%s) - t0)) -lt 5

# each_worker: a master with two children that answer (write a line)
# only when asked (a file goN appears); "ask" asks one or the other.
sh -c 'for w in 1 2; do
	sh -c "while :; do [ -e \"\$1\" ] && rm \"\$1\" && echo x >>\"\$2\"; sleep 0.02; done" - "$1/go$w" "$1/out$w" &
done; wait' - "$tmp" &
m=$!
wait_for 5 test "$(pgrep -P "$m" | wc -l)" = 2
one=$(pgrep -P "$m" | head -n 1)
ask() { : >"$tmp/go$1"; wait_for 5 test ! -e "$tmp/go$1"; }
ask_one() { ask 1; }
turn=0
ask_both() { turn=$((turn + 1)); ask $((turn % 2 + 1)); }
sleep 60 &
lone=$!
refuses "each_worker: a master without workers" each_worker 2 "$lone"
refuses "each_worker: one of two workers never answers" each_worker 2 "$m" ask_one
refuses "each_worker: the command fails" each_worker 2 "$m" false
check "each_worker: both workers answer" each_worker 2 "$m" ask_both
check "worker_writes: one line per worker" test "$(worker_writes "$m" | grep -c "^$one ")" = 1
exit 0
