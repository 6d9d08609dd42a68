#!/bin/sh
# The close-probability model against scikit-learn: the same fixed data set
# (tests/fixtures/winmodel.csv) fitted by reportd's C code
# (reportd/metrics/winmodel.c, through `test_winmodel --fit`) and by
# sklearn's LogisticRegression with the same penalty gives the same
# intercept, coefficients and predictions to 1e-4.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

section "the close-probability model against scikit-learn"
if ! /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
	fail "python3-sklearn is installed (deploy/install-deps test)"
	exit 0
fi
"$top/$O/tests/unit/test_winmodel" --fit "$top/tests/fixtures/winmodel.csv" >"$tmp/c" 2>&1
check "our fit ran" same "$?" 0
/usr/bin/python3 "$top/tests/lib/sklearn_fit.py" "$top/tests/fixtures/winmodel.csv" >"$tmp/py" 2>&1
check "sklearn's fit ran" same "$?" 0
check "as many numbers (5 coefficients, 300 predictions)" same "$(wc -l <"$tmp/c")" 305
check "... from each" same "$(wc -l <"$tmp/py")" 305
worst=$(paste -d' ' "$tmp/c" "$tmp/py" | awk '
	{ d = $1 - $2; if (d < 0) d = -d; if (d > w) w = d }
	END { printf "%.3g\n", w + 0 }')
echo "largest difference: $worst"
check "coefficients and predictions equal to 1e-4" same \
	"$(paste -d' ' "$tmp/c" "$tmp/py" | awk '{ d = $1 - $2; if (d > 1e-4 || d < -1e-4) n++ } END { print n + 0 }')" 0
check "... and not an empty comparison" same "$(paste -d' ' "$tmp/c" "$tmp/py" | awk 'NF == 2' | wc -l)" 305
