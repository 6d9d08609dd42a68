#!/bin/sh
# The search box of reps and managers by each owner's grams (migration
# 0040, queries.c ACCOUNTS_SEARCH_SCOPED, the adapter's
# crmx_src.search_owned):
# - every viewer (two reps, a manager, an executive), with and without an
#   owner chosen, finds exactly the accounts in its scope whose name or
#   city holds the term: the account ids of every page equal those of the
#   unsearched list kept by an ILIKE in SQL;
# - an account moved to another owner after the run is found under its
#   new owner only; an account whose grams hold the term's pairs out of
#   order ("bcab" for "abc") is not found; a city matches; '%' is a
#   character like the others;
# - the pipeline's search over the deals' accounts, likewise, finds
#   exactly each viewer's open deals whose account matches, also a rep's
#   deal on another owner's account;
# - a rep's search of accounts reads the rep's candidates only, and of
#   deals the accounts of the rep's deals only, not every account whose
#   grams match (the plans, as at scale).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "search by owner through nginx" "nginx not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
trap panels_env_stop EXIT
panels_env_start t_sowned || exit 0

rep=$(q "SELECT u.user_id FROM crmx_src.users u JOIN crmx_src.accounts a ON a.owner_id = u.user_id
         WHERE u.role = 'rep' GROUP BY u.user_id ORDER BY count(*) DESC, u.user_id LIMIT 1")
other=$(q "SELECT user_id FROM crmx_src.users WHERE role = 'rep' AND user_id <> $rep
           ORDER BY user_id LIMIT 1")
moved=$(q "SELECT account_id FROM crmx_src.accounts WHERE owner_id = $other
           ORDER BY account_id LIMIT 1")
q "UPDATE crmx_native.accounts SET owner_id = $rep WHERE account_id = $moved"
q "INSERT INTO crmx_native.accounts (account_id, name, owner_id, region, city) VALUES
   (990101, 'Bcab Trading', $rep, 'East', 'Suzhou'),
   (990102, 'Abcde Works', $rep, 'East', 'Suzhou'),
   (990103, 'Quarry Co', $rep, 'East', 'Abcton'),
   (990104, '50% Off Supply', $rep, 'East', 'Suzhou'),
   (990105, 'Abcde Rival', $other, 'East', 'Suzhou')"
q "INSERT INTO crmx_native.opportunities (opportunity_id, account_id, owner_id, name, stage, amount,
   created_at, stage_entered_at, expected_close)
   SELECT 990201, 990105, $rep, 'on a rival''s account',
   (SELECT stage FROM crmx_native.stages WHERE NOT is_won AND NOT is_lost ORDER BY stage_rank LIMIT 1),
   1234.50, now(), now(), current_date + 3"
mterm=$(q "SELECT substr(name, 1, 4) FROM crmx_src.accounts WHERE account_id = $moved")
# a long term (six of its pairs looked up, 0040): the whole name of one
# of the rep's accounts
longid=$(q "SELECT account_id FROM crmx_src.accounts WHERE owner_id = $rep AND length(name) > 12
            AND name !~ '[%_\\\\'']' ORDER BY account_id LIMIT 1")
long=$(q "SELECT name FROM crmx_src.accounts WHERE account_id = $longid")
many=$(q "SELECT c FROM (SELECT substr(name, 1, 1) AS c FROM crmx_src.accounts) x
          GROUP BY c ORDER BY count(*) DESC, c LIMIT 1")
manager=$(q "SELECT login FROM crmx_src.users WHERE role = 'manager' ORDER BY user_id LIMIT 1")
exec=$(q "SELECT login FROM crmx_src.users WHERE role = 'exec' ORDER BY user_id LIMIT 1")
rl=$(q "SELECT login FROM crmx_src.users WHERE user_id = $rep")
ol=$(q "SELECT login FROM crmx_src.users WHERE user_id = $other")
check "four viewers" [ -n "$rl" ] && [ -n "$ol" ] && [ -n "$manager" ] && [ -n "$exec" ]
check "the common term matches many accounts" \
	[ "$(q "SELECT count(*) FROM crmx_src.accounts WHERE name ILIKE '%$many%'")" -gt 100 ]

# rows_of USER PATH KEY ARRAY: KEY of every row of ARRAY on every page of
# the JSON at PATH (which has a query), sorted; BAD when one is not 200
rows_of() {
	_p=1
	: >"$tmp/rows"
	while :; do
		st=$(get "$1" "$2&size=200&page=$_p")
		[ "$st" = 200 ] || { echo "status $st for $1 $2" >&2; echo BAD; return; }
		json "'\\n'.join(str(r['$3']) for r in j['$4'])" >>"$tmp/rows"
		[ "$(json 'j["more"]')" = True ] || break
		_p=$((_p + 1))
	done
	grep . "$tmp/rows" | sort -n
}
accounts() { rows_of "$1" "/crmx/accounts.json?sort=name$2" account_id accounts; }
ids() { accounts "$@"; }
deals() { rows_of "$1" "/crmx/pipeline.json?sort=priority$2" opportunity_id deals; }
# Of the ids, those whose account's name or city ILIKE PATTERN, by SQL:
# accounts, or deals (their account's).
accounts_matching() {
	q "SELECT account_id FROM crmx_src.accounts WHERE account_id IN ($1)
	   AND (name ILIKE '$2' OR city ILIKE '$2') ORDER BY 1"
}
deals_matching() {
	q "SELECT o.opportunity_id FROM crmx_src.opportunities o
	   JOIN crmx_src.accounts a ON a.account_id = o.account_id
	   WHERE o.opportunity_id IN ($1) AND (a.name ILIKE '$2' OR a.city ILIKE '$2') ORDER BY 1"
}
enc() { /usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

# json_total USER WHAT QUERY: the total of WHAT's JSON page
json_total() {
	case $2 in accounts) _u=/crmx/accounts.json ;; deals) _u=/crmx/pipeline.json ;; esac
	[ "$(get "$1" "$_u?size=7$3")" = 200 ] && json 'j["total"]'
}
# compare WHAT FILTER TERM...: each viewer's WHAT (accounts or deals) searched
# for each TERM (with FILTER, e.g. "&owner=N") against the unsearched
# list kept by WHAT_matching, and its totals; counts the lists in $n, wrong ones in
# $tmp/wrong, those with a match in $tmp/found
compare() {
	what=$1 filter=$2
	shift 2
	for u in "$rl" "$ol" "$manager" "$exec"; do
		all=$($what "$u" "$filter" | paste -sd, -)
		for t in "$@"; do
			pat=$(printf '%%%s%%' "$(printf '%s' "$t" | sed 's/[%_\\]/\\&/g')")
			want=$([ -z "$all" ] || "${what}_matching" "$all" "$pat")
			got=$($what "$u" "&q=$(enc "$t")$filter")
			# the list's total, on its first page and past its last
			# (counted by another statement than the rows)
			t1=$(json_total "$u" "$what" "&q=$(enc "$t")$filter&page=1")
			t2=$(json_total "$u" "$what" "&q=$(enc "$t")$filter&page=999")
			nw=$(printf '%s' "$want" | grep -c .)
			if [ "$got" = "$want" ] && [ "$t1" = "$nw" ] && [ "$t2" = "$nw" ]; then
				n=$((n + 1))
			else
				echo "$what $u $filter q=$t: got $(echo "$got" | wc -l) (totals $t1, $t2), want $nw" >&2
				echo "$what $u $filter $t" >>"$tmp/wrong"
			fi
			[ -z "$want" ] || echo "$what $u $t" >>"$tmp/found"
		done
	done
}
n=0
compare accounts "" "$many" "$mterm" 海川 abc Abcton '50%' Suzhou "$long"
compare accounts "&owner=$rep" "$many" "$mterm" 海川 abc Abcton '50%' Suzhou "$long"
check "every viewer's search finds exactly its accounts that match (64 lists)" \
	sh -c "[ $n -eq 64 ] && [ ! -e '$tmp/wrong' ]"
check "most searches found something" [ "$(wc -l <"$tmp/found")" -ge 30 ]
# The pipeline: the open deals whose account matches.
n=0
rm -f "$tmp/found" "$tmp/wrong"
compare deals "" "$many" abc 海川 Suzhou "$long"
check "every viewer's pipeline search finds exactly its deals that match (20 lists)" \
	sh -c "[ $n -eq 20 ] && [ ! -e '$tmp/wrong' ]"
check "most pipeline searches found something" [ "$(wc -l <"$tmp/found")" -ge 8 ]
has_deal() { deals "$1" "&q=$(enc "$2")" | grep -qx "$3"; }
check "a rep's deal on another owner's account is found" has_deal "$rl" abc 990201

has() { ids "$1" "&q=$(enc "$2")" | grep -qx "$3"; }
# hasnt USER TERM ID: the list was read and ID is not on it
hasnt() {
	_l=$(ids "$1" "&q=$(enc "$2")")
	[ "$_l" != BAD ] && ! printf '%s\n' "$_l" | grep -qx "$3"
}
check "a long term is looked up by six of its pairs, its first and last among them" \
	test "$(q "SELECT cardinality(g) = 6 AND g @> ARRAY['ab', 'ij']
	           AND g <@ ARRAY['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh', 'hi', 'ij']
	           FROM (SELECT crmx.pattern_grams('%ABCDEFGHIJ%') AS g) x")" = t
check "the long term is found" has "$rl" "$long" "$longid"
check "the moved account is found under its new owner" has "$rl" "$mterm" "$moved"
check "... and no longer under its old owner" hasnt "$ol" "$mterm" "$moved"
check "the term's pairs out of order are no match" hasnt "$rl" abc 990101
check "a term found in the name" has "$rl" abc 990102
check "a term found in the city" has "$rl" abc 990103
check "'%' is a character of the term" has "$rl" '50%' 990104
check "another rep's match is not the rep's" hasnt "$rl" abc 990105
check "... but the other rep's" has "$ol" abc 990105

# What a rep's search reads, as at scale: the rep is given 3,000 more
# accounts that do not match (at a million accounts a rep has a
# thousand, and the planner thinks a term's grams rarer than they are).
# The count statement as the panels run it (crmx.fcgi --statements, the
# variant for a set of owners), planned for its values, and the native
# adapter's crmx_src.search_owned for the same: no index read in either
# gives more rows than the rep's candidates, where the plain grams gave
# every owner's.
q "INSERT INTO crmx_native.accounts (account_id, name, owner_id, region)
   SELECT 991000 + i, '#' || i, $rep, 'East' FROM generate_series(1, 3000) i"
q "ANALYZE crmx_native.accounts"
# a common word (at a million accounts "harbor": its five pairs each
# common, the planner thinks the accounts holding all of them few)
word=$(q "SELECT w FROM (SELECT lower(regexp_split_to_table(name, '\s+')) AS w
                         FROM crmx_src.accounts) x
          WHERE w ~ '^[a-z]{5,}$' GROUP BY w ORDER BY count(*) DESC, w LIMIT 1")
check "a common word of five letters or more" [ -n "$word" ]
count_sql=$(panel_statement '^-- crmx_[0-9]+o .*SELECT count\\(\\*\\) AS total FROM \\(SELECT 1 FROM crmx_src\\.accounts')
check "crmx.fcgi --statements prints the rep's count" [ -n "$count_sql" ]
run=$(q "SELECT run_id FROM crmx.latest_run")
printf '%s\n' "SET enable_seqscan = off;" "SET plan_cache_mode = force_custom_plan;" \
	"PREPARE c(bigint[], bigint, text, text, text, text, text, text, bigint, bigint) AS $count_sql;" \
	"EXPLAIN ANALYZE EXECUTE c(ARRAY[$rep]::bigint[], NULL, NULL, NULL, NULL, NULL, NULL,
	                           '%$word%', 10001, $run);" |
	psql -h "$host" -U crmx -d "$db" -X -qAt >"$tmp/count.plan"
body=$(q "SELECT prosrc FROM pg_proc WHERE oid = 'crmx_src.search_owned(bigint[], text)'::regprocedure")
printf '%s\n' "SET enable_seqscan = off;" \
	"PREPARE s(bigint[], text) AS $(printf '%s' "$body" | sed 's/\<owners\>/$1/g; s/\<pattern\>/$2/g');" \
	"EXPLAIN ANALYZE EXECUTE s(ARRAY[$rep]::bigint[], '%$word%');" |
	psql -h "$host" -U crmx -d "$db" -X -qAt >"$tmp/owned.plan"
mine=$(q "SELECT count(*) FROM crmx_src.accounts WHERE owner_id = $rep
          AND crmx.search_grams(name, city) @> crmx.pattern_grams('%$word%')")
everyone=$(q "SELECT count(*) FROM crmx_src.accounts
              WHERE crmx.search_grams(name, city) @> crmx.pattern_grams('%$word%')")
# the most rows an index node of PLAN gave: rows times loops, a loop
# counted as one row at least (EXPLAIN rounds the rows of a loop)
index_rows() {
	grep "Index.* Scan" "$1" | sed -n 's/.*actual time=[^ ]* rows=\([0-9]*\) loops=\([0-9]*\).*/\1 \2/p' |
		awk '{ n = ($1 > 0 ? $1 : 1) * $2; if (n > m) m = n } END { if (NR) print m + 0 }'
}
rc=$(index_rows "$tmp/count.plan") ro=$(index_rows "$tmp/owned.plan")
echo "# the rep's candidates $mine, every owner's $everyone; most rows of an index: $rc, $ro"
check "every owner's candidates are many more than the rep's" [ "$everyone" -gt $((3 * mine)) ]
check "the count's plan reads indexes" [ -n "$rc" ]
check "search_owned's plan reads the index of keys" grep -q "accounts_search_keys" "$tmp/owned.plan"
check "a rep's count reads no more than the rep's candidates from an index" \
	sh -c "[ -n '$rc' ] && [ '$rc' -le $mine ]"
check "search_owned reads no more than the rep's candidates from an index" \
	sh -c "[ -n '$ro' ] && [ '$ro' -le $mine ]"

# The pipeline's page of a rep's deals searched (Q_PIPELINE_DEALS, the
# variant for a set of owners) reads accounts only by the key of each of
# the rep's deals; with the grams the planner read every owner's
# candidates through them and hashed them.  As at scale, the rep has a
# few hundred open deals (on the accounts added above, which do not
# match), and the term is a long word of many other accounts, whose every
# pair is common: the planner thinks the accounts holding them all few.
q "INSERT INTO crmx_native.accounts (account_id, name, owner_id, region)
   SELECT 995000 + i, 'Harborview ' || i, $other, 'East' FROM generate_series(1, 2000) i"
q "INSERT INTO crmx_native.opportunities (opportunity_id, account_id, owner_id, name, stage, amount,
   created_at, stage_entered_at, expected_close)
   SELECT 992000 + i, 991000 + i, $rep, 'deal ' || i,
   (SELECT stage FROM crmx_native.stages WHERE NOT is_won AND NOT is_lost ORDER BY stage_rank LIMIT 1),
   100 + i, now(), now(), current_date + 30 FROM generate_series(1, 300) i"
q "ANALYZE crmx_native.opportunities; ANALYZE crmx_native.accounts"
deals_sql=$(panel_statement '^-- crmx_[0-9]+o .*SELECT t\\.opportunity_id.*count\\(\\*\\) OVER \\(\\) AS total')
check "crmx.fcgi --statements prints the rep's page of deals" [ -n "$deals_sql" ]
printf '%s\n' "SET enable_seqscan = off;" "SET plan_cache_mode = force_custom_plan;" \
	"PREPARE d(bigint[], text, text, bigint, bigint, bigint) AS $deals_sql;" \
	"EXPLAIN ANALYZE EXECUTE d(ARRAY[$rep]::bigint[], '%harborview%', 'priority', 101, 0, $run);" |
	psql -h "$host" -U crmx -d "$db" -X -qAt >"$tmp/deals.plan"
mine=$(q "SELECT count(*) FROM crmx_src.opportunities WHERE owner_id = $rep")
grep " on accounts" "$tmp/deals.plan" >"$tmp/deals.accounts.plan"
rd=$(index_rows "$tmp/deals.accounts.plan")
many_hv=$(q "SELECT count(*) FROM crmx_src.accounts WHERE name ILIKE '%harborview%'")
echo "# the rep's deals $mine, accounts of harborview $many_hv; most rows of an index of accounts: $rd"
check "the word's accounts are many more than the rep's deals" [ "$many_hv" -gt $((3 * mine)) ]
check "the deals' plan reads accounts by index" [ -n "$rd" ]
check "the deals' plan reads no account through the grams" \
	sh -c "! grep -q 'accounts_search_keys' '$tmp/deals.plan'"
check "a rep's page of deals reads no more accounts from an index than the rep has deals" \
	sh -c "[ -n '$rd' ] && [ '$rd' -le $mine ]"
