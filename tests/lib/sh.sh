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
