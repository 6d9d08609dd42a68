# Shared by the shell test runner and shell tests: counting and reporting.
# Results go to $CRMX_TEST_SUMMARY as lines "pass NAME" / "fail NAME" /
# "skip NAME".

section() { printf '\n== %s\n' "$1"; }

pass() { echo "ok - $1"; echo "pass $1" >>"$CRMX_TEST_SUMMARY"; }
fail() { echo "FAILED - $1"; echo "fail $1" >>"$CRMX_TEST_SUMMARY"; }
skip() { echo "skipped - $1${2:+: $2}"; echo "skip $1" >>"$CRMX_TEST_SUMMARY"; }

# check NAME COMMAND...: pass when the command succeeds.
check() {
	name=$1; shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# The checks below fail on an empty or missing input: a check over
# nothing proves nothing.  Each says on stderr what was empty.

# same A B: A and B are equal and not empty (two failed look-ups that
# both print nothing are no match).
same() {
	[ -n "$1" ] || { echo "same: first value is empty" >&2; return 1; }
	[ -n "$2" ] || { echo "same: second value is empty" >&2; return 1; }
	[ "$1" = "$2" ] || { echo "same: \"$1\" != \"$2\"" >&2; return 1; }
}

# absent [GREP-OPTION...] PATTERN FILE...: no line of any FILE matches
# PATTERN; fails when no FILE is named or one is missing or empty.
absent() {
	_ab_o=""
	while [ $# -gt 0 ]; do
		case $1 in -[EFiw]*) _ab_o="$_ab_o $1"; shift ;; *) break ;; esac
	done
	[ $# -ge 2 ] || { echo "absent: needs a pattern and a file" >&2; return 1; }
	_ab_p=$1; shift
	for _ab_f in "$@"; do
		[ -s "$_ab_f" ] || { echo "absent: $_ab_f is missing or empty" >&2; return 1; }
	done
	# shellcheck disable=SC2086
	if grep -q $_ab_o -e "$_ab_p" -- "$@"; then
		# shellcheck disable=SC2086
		grep -n $_ab_o -e "$_ab_p" -- "$@" | head -n 3 >&2
		return 1
	fi
	return 0
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds
# (0), or, after SECONDS, one last time (its status): a wait on a state
# instead of a fixed sleep, quick when things are fast, patient when a
# sanitizer build or a loaded machine is slow.
wait_for() {
	[ $# -ge 2 ] && [ "$1" -gt 0 ] 2>/dev/null ||
		{ echo "wait_for: needs SECONDS > 0 and a command" >&2; return 1; }
	_wf_end=$(($(date +%s) + $1)); shift
	while ! "$@"; do
		if [ "$(date +%s)" -ge "$_wf_end" ]; then
			"$@" && return 0
			echo "wait_for: still false after the deadline: $*" >&2
			return 1
		fi
		sleep 0.1
	done
}

# worker_writes MASTER: "PID WRITES" for each child of MASTER, WRITES the
# count of write calls it made (/proc/PID/io): a child that answered a
# request since an earlier look has a larger count.  Empty when MASTER has
# no child.
worker_writes() {
	for _ww_c in $(pgrep -P "$1"); do
		_ww_n=$(sed -n 's/^syscw: //p' "/proc/$_ww_c/io" 2>/dev/null)
		[ -n "$_ww_n" ] && echo "$_ww_c $_ww_n"
	done
}

# each_worker MIN MASTER COMMAND...: runs COMMAND (one request and its
# check) at least MIN times and until every child of MASTER answered one
# (wrote since the start), at most 5 x MIN times; fails when COMMAND fails
# once, when MASTER has no child, or when a child never answered.
each_worker() {
	_ew_min=$1 _ew_m=$2; shift 2
	_ew_before=$(worker_writes "$_ew_m")
	[ -n "$_ew_before" ] || { echo "each_worker: $_ew_m has no worker" >&2; return 1; }
	_ew_i=0
	while [ "$_ew_i" -lt $((5 * _ew_min)) ]; do
		"$@" || { echo "each_worker: failed on request $((_ew_i + 1))" >&2; return 1; }
		_ew_i=$((_ew_i + 1))
		[ "$_ew_i" -ge "$_ew_min" ] || continue
		_ew_now=$(worker_writes "$_ew_m")
		_ew_idle=$(echo "$_ew_before" | while read -r _ew_p _ew_n; do
			_ew_n2=$(echo "$_ew_now" | sed -n "s/^$_ew_p //p")
			[ -n "$_ew_n2" ] && [ "$_ew_n2" -gt "$_ew_n" ] || echo "$_ew_p"
		done)
		[ -z "$_ew_idle" ] && return 0
	done
	echo "each_worker: after $_ew_i requests, worker(s) $(echo $_ew_idle) answered none" >&2
	return 1
}

# run_cmocka BINARY [valgrind]: runs one cmocka test program and adds its
# passed/failed/skipped counts (from cmocka's own summary lines).
run_cmocka() {
	bin=$1
	label=$(basename "$bin")
	out=$(mktemp)
	if [ "${2:-}" = valgrind ]; then
		label="$label (valgrind)"
		$VALGRIND "$bin" >"$out" 2>&1
	else
		"$bin" >"$out" 2>&1
	fi
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	p=${p:-0}; f=${f:-0}; s=${s:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed, or valgrind found errors
	fi
	if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
		cat "$out"
	else
		grep -E 'skipped|SKIPPED' "$out" | grep -v '^\[  SKIPPED \] [0-9]' || true
	fi
	i=0; while [ "$i" -lt "$p" ]; do echo "pass $label" >>"$CRMX_TEST_SUMMARY"; i=$((i+1)); done
	i=0; while [ "$i" -lt "$f" ]; do echo "fail $label" >>"$CRMX_TEST_SUMMARY"; i=$((i+1)); done
	i=0; while [ "$i" -lt "$s" ]; do echo "skip $label" >>"$CRMX_TEST_SUMMARY"; i=$((i+1)); done
	echo "$label: $p passed, $f failed, $s skipped"
	rm -f "$out"
}

# run_script FILE: a shell test that reports through pass/fail/skip itself.
run_script() {
	echo "-- $1"
	before=$(grep -c '' "$CRMX_TEST_SUMMARY")
	sh "$1"
	rc=$?
	after=$(grep -c '' "$CRMX_TEST_SUMMARY")
	if [ "$rc" -ne 0 ]; then
		fail "$1 exited with status $rc"
	elif [ "$after" -eq "$before" ]; then
		fail "$1 reported no result"
	fi
}

print_summary() {
	np=$(grep -c '^pass' "$CRMX_TEST_SUMMARY")
	nf=$(grep -c '^fail' "$CRMX_TEST_SUMMARY")
	ns=$(grep -c '^skip' "$CRMX_TEST_SUMMARY")
	if [ "$nf" -gt 0 ]; then
		echo; echo "failed:"; grep '^fail' "$CRMX_TEST_SUMMARY" | sed 's/^fail /  /' | sort | uniq -c
	fi
	echo
	echo "tests: $np passed, $nf failed, $ns skipped"
	[ "$nf" -eq 0 ]
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now, chosen by
# the kernel (a port computed from the pid can be a client's ephemeral port
# of the moment: nginx then failed to bind it under a loaded CI run).
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# run_rows_differ TABLE A B: how many rows of crmx.TABLE in run A are not in
# run B, and the other way, compared as JSON without run_id (through the
# caller's q).
run_rows_differ() {
	q "SELECT count(*) FROM ((SELECT to_jsonb(r_) - 'run_id' FROM crmx.$1 r_ WHERE run_id = ${2:-0}
	   EXCEPT ALL SELECT to_jsonb(r_) - 'run_id' FROM crmx.$1 r_ WHERE run_id = ${3:-0})
	  UNION ALL (SELECT to_jsonb(r_) - 'run_id' FROM crmx.$1 r_ WHERE run_id = ${3:-0}
	   EXCEPT ALL SELECT to_jsonb(r_) - 'run_id' FROM crmx.$1 r_ WHERE run_id = ${2:-0})) d"
}
