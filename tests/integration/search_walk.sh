#!/bin/sh
# The accounts search that walks the run's index (fcgi.search_walk_min,
# queries.c ACCOUNTS_WALK) gives the same pages as ranking every match:
# crmx.fcgi with the walk never taken (the default at the demo's size)
# and with it always tried (search_walk_min = 0) answer byte for byte the
# same JSON, for a rep, the rep who lost and the rep who gained an
# account after the run, a manager and an executive; terms with many and
# few matches and one only an account made after the run holds; every
# sort; pages past the first.  And the walk of each figure reads the run
# partition's index of that order (0042).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "search walk through nginx" "nginx not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
trap panels_env_stop EXIT
panels_env_start t_walk || exit 0

# after the run: the best account of a rep (by revenue) moves to another
# rep, and a new account (no figures) matches the common term
old=$(q "SELECT a.owner_id FROM crmx_src.accounts a JOIN crmx.latest_account_metrics m
         USING (account_id) JOIN crmx_src.users u ON u.user_id = a.owner_id
         WHERE u.role = 'rep' AND m.revenue_window IS NOT NULL
         ORDER BY m.revenue_window DESC, a.account_id LIMIT 1")
moved=$(q "SELECT a.account_id FROM crmx_src.accounts a JOIN crmx.latest_account_metrics m
           USING (account_id) WHERE a.owner_id = $old
           ORDER BY m.revenue_window DESC NULLS LAST, a.account_id LIMIT 1")
new=$(q "SELECT user_id FROM crmx_src.users WHERE role = 'rep' AND user_id <> $old
         ORDER BY user_id LIMIT 1")
q "UPDATE crmx_native.accounts SET owner_id = $new WHERE account_id = $moved"
q "INSERT INTO crmx_native.accounts (account_id, name, owner_id, region, city)
   VALUES (990001, '新建海川商贸有限公司 Walkerton Co', $new, 'East', 'Shanghai')"
# a common character of the names (many matches), a rare part (few)
many=$(q "SELECT c FROM (SELECT substr(name, 1, 1) AS c FROM crmx_src.accounts) x
          GROUP BY c ORDER BY count(*) DESC, c LIMIT 1")
few=$(q "SELECT substr(name, 1, 4) FROM crmx_src.accounts WHERE account_id = $moved")
logins=$(q "SELECT login FROM crmx_src.users WHERE user_id IN ($old, $new)
            UNION ALL (SELECT login FROM crmx_src.users WHERE role = 'manager' ORDER BY user_id LIMIT 1)
            UNION ALL (SELECT login FROM crmx_src.users WHERE role = 'exec' ORDER BY user_id LIMIT 1)")
check "four viewers" [ "$(echo "$logins" | wc -l)" -eq 4 ]
check "a common term matches many accounts" \
	[ "$(q "SELECT count(*) FROM crmx_src.accounts WHERE name ILIKE '%$many%'")" -gt 100 ]

# pages DIR: every viewer, term, sort and page as JSON files in DIR
pages() {
	mkdir -p "$tmp/$1"
	n=0
	for u in $logins; do for t in "$many" "$few" 海川 Walkerton; do
		enc=$(/usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$t")
		for s in revenue ltv activity name; do for p in 1 2 4; do
			n=$((n + 1))
			st=$(get "$u" "/crmx/accounts.json?q=$enc&sort=$s&page=$p&size=7")
			[ "$st" = 200 ] || echo "$u $t $s $p: $st" >>"$tmp/$1.bad"
			cp "$tmp/body" "$tmp/$1/$n.$u.$s.$p.json"
		done; done
	done; done
}
pages ranked
PANELS_FCGI_SET="fcgi.search_walk_min=0"
panels_fcgi_start
pages walked
same_pages ranked walked 192 "the walk gives the same pages as ranking every match"

# the moved account: in the new owner's list at once, no longer in the old's
has() { grep -l "\"account_id\":$2," "$tmp/walked/"*".$1.revenue."*.json >/dev/null 2>&1; }
ol=$(q "SELECT login FROM crmx_src.users WHERE user_id = $old")
nl=$(q "SELECT login FROM crmx_src.users WHERE user_id = $new")
check "the moved account is on its new owner's list" has "$nl" "$moved"
check "the moved account left its old owner's list" sh -c "! grep -l '\"account_id\":$moved,' $tmp/walked/*.$ol.*.json"
check "the account made after the run is found" has "$nl" 990001

# The walk as the panels run it (crmx.fcgi --statements), planned for a
# term's values with hashing preferred (as when the planner thinks the
# term's matches few): each walked row's account read by its key.
walk_sql=$(panel_statement '^-- crmx_[0-9]+ .*w\\.revenue_window.*LIMIT 20000')
check "crmx.fcgi --statements prints the walk" [ -n "$walk_sql" ]
walk_plan=$(printf '%s\n' "SET enable_nestloop = off;" "SET plan_cache_mode = force_custom_plan;" \
	"PREPARE w(bigint[], bigint, text, text, text, text, text, text, bigint, bigint, bigint) AS $walk_sql;" \
	"EXPLAIN EXECUTE w(NULL, NULL, NULL, NULL, NULL, NULL, NULL, '%$many%', 7, 0,
		$(q 'SELECT run_id FROM crmx.latest_run'));" |
	psql -h "$host" -U crmx -d "$db" -X -qAt)
plan_has() { printf '%s\n' "$walk_plan" | grep -q "$1"; }
# every line that reads the accounts, other than by their key
plan_other_reads() { printf '%s\n' "$walk_plan" | grep "on accounts" | grep -v "accounts_pkey"; }
check "the walk's plan was made" plan_has "account_metrics"
check "the walk reads each row's account by its key" plan_has "accounts_pkey"
check "... and reads no account any other way" test -z "$(plan_other_reads)"

# The walk reads the run partition's order of each figure (0042: indexes
# of the partition, without the run_id every row shares): with sorting
# priced out, an index that serves the walk's order is read, where one
# that did not (or none) would leave a sort of the partition's rows.
run=$(q 'SELECT run_id FROM crmx.latest_run')
for key in revenue_window ltv_pred last_activity; do
	sql=$(panel_statement "^-- crmx_[0-9]+ .*w\\.$key.*LIMIT 20000")
	plan=$(printf '%s\n' "SET enable_sort = off;" "SET plan_cache_mode = force_custom_plan;" \
		"PREPARE o(bigint[], bigint, text, text, text, text, text, text, bigint, bigint, bigint) AS $sql;" \
		"EXPLAIN EXECUTE o(NULL, NULL, NULL, NULL, NULL, NULL, NULL, '%$many%', 7, 0, $run);" |
		psql -h "$host" -U crmx -d "$db" -X -qAt)
	check "the walk by $key reads the partition's index in order (account_metrics_${run}_order_$key)" \
		sh -c "printf '%s\n' \"\$1\" | grep -q 'Index Scan using account_metrics_${run}_order_$key on account_metrics_$run'" _ "$plan"
done
