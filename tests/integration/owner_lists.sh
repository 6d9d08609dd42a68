#!/bin/sh
# A rep's and a manager's accounts list from the run's rows by owner
# (migration 0032, queries.c ACCOUNTS_OWNED and ACCOUNTS_OWNED_NAME):
# the run stores each account's owner; a scope's list sorted by a run's
# figure reads each owner's first rows of the run's index on (owner,
# figure), the owners the change feed marked since the run live.  After
# an account moved between reps, an account made and one moved to another
# region, every page (viewers, sorts, filters, later pages) equals, byte
# for byte, the same page read the old way (every owner read live: forced
# by a change that names no owner); so do an executive's pages and the
# lists' totals, counted from the run's sums by region and city (0027);
# the pages by name equal the order SQL gives over the scope's accounts,
# in both languages; an executive's unfiltered pages by a figure (one
# plan, queries.c ACCOUNTS_NO_FILTERS) equal the order SQL gives over
# every account.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "lists by owner through nginx" "nginx not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
trap panels_env_stop EXIT
PANELS_FCGI_SET="fcgi.cache_mb=0" panels_env_start t_owner_lists || exit 0

run=$(q "SELECT run_id FROM crmx.latest_run")
check "the run stored every account's owner" test "$(q "SELECT r.account_owners
	AND count(m.owner_id) > 100 AND count(*) FILTER (WHERE m.owner_id IS DISTINCT FROM a.owner_id) = 0
	FROM crmx.account_metrics m JOIN crmx_src.accounts a USING (account_id)
	JOIN crmx.run r USING (run_id) WHERE m.run_id = $run GROUP BY r.account_owners")" = t

# Every partition has the indexes by owner (0032; empty before the
# owners were stored): one without them made a list's plan sort all of a
# scope's rows.
check "every run's partition has its three indexes by owner" test "$(q "SELECT count(*) > 0
	AND count(*) FILTER (WHERE (SELECT count(*) FROM pg_indexes x WHERE x.schemaname = 'crmx'
	    AND x.tablename = c.relname AND x.indexname LIKE '%\_owner\_%') <> 3) = 0
	FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	WHERE i.inhparent = 'crmx.account_metrics'::regclass")" = t

# The run's rows lie in the order of its index by owner and revenue
# (store.c accounts_by_owner): that index's build finds them sorted, and
# each owner's rows are together where the lists read them.
check "the run's rows lie by owner, revenue, account" test "$(q "SELECT count(*) > 100
	AND count(*) FILTER (WHERE k < p) = 0
	FROM (SELECT k, lag(k) OVER (ORDER BY ctid) AS p FROM (SELECT ctid,
	      (coalesce(owner_id, 9223372036854775807), -revenue_window, account_id) AS k
	      FROM crmx.account_metrics_$run) m) m")" = t

# (The owners are the run's read's, of its snapshot or later, 0054: a
# change since keeps its mark and the lists read that account live, as
# the checks below show; 0032's step that set them to the store's went.)

rep_of() { q "SELECT login FROM crmx_src.users WHERE user_id = $1"; }
# reps with accounts: a (loses its best account), b (gains it and a new
# account), c (an account moves region), d (untouched), and a manager of a
reps=$(q "SELECT u.user_id FROM crmx_src.users u WHERE u.role = 'rep' AND u.team IS NOT NULL
          AND (SELECT count(*) FROM crmx_src.accounts a WHERE a.owner_id = u.user_id) > 30
          ORDER BY u.user_id LIMIT 4")
set -- $reps
check "four reps with accounts" [ $# -eq 4 ]
a=$1 b=$2 c=$3 d=$4
mgr=$(q "SELECT m.login FROM crmx_src.users m JOIN crmx_src.users r ON r.team = m.team
         WHERE m.role = 'manager' AND r.user_id = $a ORDER BY m.user_id LIMIT 1")
check "a manager of the first rep" [ -n "$mgr" ]
ex=$(q "SELECT login FROM crmx_src.users WHERE role = 'exec' ORDER BY user_id LIMIT 1")
la=$(rep_of "$a") lb=$(rep_of "$b") lc=$(rep_of "$c") ld=$(rep_of "$d")

# Read from the stored rows: a stored owner changed by hand (no mark)
# moves an account out of the untouched rep's list, until put back (by
# LTV: by revenue the first rows kept whole are read, below).
best=$(q "SELECT m.account_id FROM crmx.account_metrics m WHERE m.run_id = $run AND m.owner_id = $d
          ORDER BY m.ltv_pred DESC NULLS LAST, m.account_id LIMIT 1")
stored_read() {
	q "UPDATE crmx.account_metrics SET owner_id = $a WHERE run_id = $run AND account_id = $best" >/dev/null
	get "$ld" "/crmx/accounts.json?sort=ltv&size=5" >/dev/null
	gone=$(json "int(not any(x['account_id'] == $best for x in j['accounts']))")
	q "UPDATE crmx.account_metrics SET owner_id = $d WHERE run_id = $run AND account_id = $best" >/dev/null
	get "$ld" "/crmx/accounts.json?sort=ltv&size=5" >/dev/null
	back=$(json "int(any(x['account_id'] == $best for x in j['accounts']))")
	[ "$gone" = 1 ] && [ "$back" = 1 ]
}
check "a rep's list is read from the run's rows by owner" stored_read

# A manager's and a rep's usual list (by revenue, unfiltered, within the
# first 51 rows) on a quiet day from the team's and the owner's first
# rows as the run stored them (0061): they are the scope's
# accounts in the list's order; the page reads them (a stored name
# changed by hand shows); its pages equal those read live; an account of
# the page renamed shows by its new name (the account marked, the page
# read by owner).
mteam=$(q "SELECT t.team FROM crmx.open_team t JOIN crmx_src.users m ON m.team = t.team
           WHERE t.run_id = $run AND m.login = '$mgr'")
check "the manager's team was stored" test -n "$mteam"
# kept WHO: WHO's kept rows' table (k_table) and key (k_key), the
# scope's owners (k_owners), how many are kept (k_rows)
kept() {
	case $1 in
	"$mgr")	k_table=team_top_account k_key="team = '$mteam'" k_rows=51
		k_owners=$(q "SELECT array_to_string(owners, ',') FROM crmx.open_team
		              WHERE run_id = $run AND team = '$mteam'") ;;
	*)	k_table=owner_top_account k_key="owner_id = $d" k_rows=51 k_owners=$d ;;
	esac
}
kept_order() {	# WHO: the kept rows, the same rows in SQL's order
	kept "$1"
	stored=$(q "SELECT string_agg(rank || ':' || account_id || ':' || name || ':' || revenue_window, ' '
	            ORDER BY rank) FROM crmx.$k_table WHERE run_id = $run AND $k_key")
	want=$(q "SELECT string_agg(rank || ':' || account_id || ':' || name || ':' || revenue_window, ' '
	          ORDER BY rank) FROM (SELECT m.account_id, a.name, m.revenue_window, row_number() OVER (
	          ORDER BY m.revenue_window DESC NULLS LAST, m.account_id) AS rank
	          FROM crmx.account_metrics m JOIN crmx_src.accounts a USING (account_id)
	          WHERE m.run_id = $run AND m.owner_id IN ($k_owners)) s WHERE rank <= $k_rows")
	[ -n "$want" ] && same "$want" "$stored"
}
kept_read() {	# WHO: a kept name changed by hand shows on the first page
	kept "$1"
	q "UPDATE crmx.$k_table SET name = 'Kept By The Run' WHERE run_id = $run AND $k_key
	   AND rank = 1" >/dev/null
	get "$1" /crmx/accounts.json >/dev/null
	n=$(json "j['accounts'][0]['name']")
	q "UPDATE crmx.$k_table x SET name = a.name FROM crmx_src.accounts a
	   WHERE a.account_id = x.account_id AND x.run_id = $run AND x.$k_key AND x.rank = 1" >/dev/null
	[ "$n" = "Kept By The Run" ]
}
kept_pages() {	# DIR WHO: the usual pages (and some past the rows kept)
	mkdir -p "$tmp/$1"
	for u in accounts accounts.json "accounts.json?page=2" "accounts.json?page=3" \
	    "accounts.json?page=4" "accounts.json?size=7&page=7" "accounts.json?size=7&page=8" \
	    "accounts.json?size=7&page=28" "accounts.json?size=7&page=29" "accounts.json?size=49" \
	    "accounts.json?size=200"; do
		st=$(get "$2" "/crmx/$u")
		[ "$st" = 200 ] || echo "$2 $u: $st" >>"$tmp/$1.bad"
		cp "$tmp/body" "$tmp/$1/$2.$(echo "$u" | tr -c 'a-zA-Z0-9\n' _)"
	done
}
renamed() {	# WHO: the first account renamed shows by its new name
	kept "$1"
	acc=$(q "SELECT account_id FROM crmx.$k_table WHERE run_id = $run AND $k_key AND rank = 1")
	x0=$(q "SELECT pg_current_xact_id()")
	q "UPDATE crmx_native.accounts SET name = name || ' (renamed)' WHERE account_id = $acc" >/dev/null
	get "$1" /crmx/accounts.json >/dev/null
	n=$(json "j['accounts'][0]['name']")
	q "UPDATE crmx_native.accounts SET name = replace(name, ' (renamed)', '') WHERE account_id = $acc;
	   DELETE FROM crmx.changed_account WHERE xid > '$x0'; DELETE FROM crmx.changed_owner WHERE xid > '$x0'" \
		>/dev/null
	case $n in *" (renamed)") ;; *) return 1 ;; esac
}
for who in "$mgr" "$ld"; do
	check "$who: the run kept the first rows of the list in its order" kept_order "$who"
	check "$who: the usual list is read from the rows kept" kept_read "$who"
	kept_pages kept "$who"
done
q "SELECT crmx.mark_changed(NULL)" >/dev/null	# every owner read live
for who in "$mgr" "$ld"; do kept_pages kept_live "$who"; done
q "DELETE FROM crmx.changed_owner WHERE owner_id IS NULL"
same_pages kept_live kept 22 "the usual lists from the rows kept = read live"
for who in "$mgr" "$ld"; do
	check "$who: an account of the page renamed: shown by its new name" renamed "$who"
done

# after the run: a's best account to b, a new account of b's, one of c's
# to another region (each marks its owners)
moved=$(q "SELECT m.account_id FROM crmx.account_metrics m WHERE m.run_id = $run AND m.owner_id = $a
           ORDER BY m.revenue_window DESC NULLS LAST, m.account_id LIMIT 1")
q "UPDATE crmx_native.accounts SET owner_id = $b WHERE account_id = $moved"
q "INSERT INTO crmx_native.accounts (account_id, name, owner_id, region, city)
   VALUES (990002, 'Aardvark Owner Lists Co', $b, 'East', 'Shanghai')"
region=$(q "SELECT region FROM crmx_src.accounts WHERE region IS NOT NULL GROUP BY 1
            ORDER BY count(*) DESC, 1 LIMIT 1")
q "UPDATE crmx_native.accounts SET region = 'North'
   WHERE account_id = (SELECT account_id FROM crmx_src.accounts WHERE owner_id = $c
                       ORDER BY account_id LIMIT 1)"
check "the changes marked their owners" test \
	"$(q "SELECT count(DISTINCT owner_id) FROM crmx.changed_owner WHERE owner_id IN ($a, $b, $c)")" = 3
renc=$(/usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$region")

# pages DIR: every viewer, sort, filter and page as JSON files in DIR
pages() {
	mkdir -p "$tmp/$1"
	for v in "$la" "$lb" "$lc" "$ld" "$mgr" "$ex"; do
		for s in revenue ltv activity; do for pn in 1 2 4; do
			for f in "" "&class=A" "&region=$renc"; do
				n=$(echo "$s$pn$f" | tr -c 'a-zA-Z0-9\n' _)
				st=$(get "$v" "/crmx/accounts.json?sort=$s&page=$pn&size=7$f")
				[ "$st" = 200 ] || echo "$v $s $pn $f: $st" >>"$tmp/$1.bad"
				cp "$tmp/body" "$tmp/$1/$v.$n.json"
			done
		done; done
	done
	get "$mgr" "/crmx/accounts.json?owner=$b&sort=ltv&size=7" >/dev/null
	cp "$tmp/body" "$tmp/$1/$mgr.owner.json"
	get "$ex" "/crmx/accounts.json?owner=$a&region=$renc&size=7" >/dev/null
	cp "$tmp/body" "$tmp/$1/$ex.owner.json"
}
pages owned
q "SELECT crmx.mark_changed(NULL)" >/dev/null	# every owner read live
pages live
q "DELETE FROM crmx.changed_owner WHERE owner_id IS NULL"
same_pages live owned 164 "the lists by owner equal the lists read live"
has() { grep -l "\"account_id\":$2," "$tmp/owned/$1."revenue*.json >/dev/null 2>&1; }
check "the moved account is on its new owner's list" has "$lb" "$moved"
check "the moved account left its old owner's list" absent "\"account_id\":$moved," "$tmp/owned/$la."*.json

# By name: each page's accounts in the order SQL gives over the scope.
by_name() {	# USER OWNERS COLLATE PAGE LANG (get sets u and p)
	want=$(q "SELECT string_agg(account_id::text, ' ' ORDER BY n) FROM (SELECT account_id,
	          row_number() OVER (ORDER BY name $3, account_id) AS n FROM crmx_src.accounts
	          WHERE owner_id IN ($2)) x WHERE n > ($4 - 1) * 7 AND n <= $4 * 7")
	get "$1" "/crmx/accounts.json?sort=name&page=$4&size=7" -H "Accept-Language: $5" >/dev/null
	got=$(json "' '.join(str(x['account_id']) for x in j['accounts'])")
	same "$want" "$got"
}
team=$(q "SELECT string_agg(r.user_id::text, ',') FROM crmx_src.users m JOIN crmx_src.users r
          ON r.team = m.team OR r.user_id = m.user_id WHERE m.login = '$mgr'")
for pn in 1 3; do
	check "a rep's list by name, page $pn" by_name "$lb" "$b" "" "$pn" en
	check "a manager's list by name, page $pn" by_name "$mgr" "$team" "" "$pn" en
	check "a manager's list by name in Chinese, page $pn" \
		by_name "$mgr" "$team" 'COLLATE "zh-x-icu"' "$pn" zh-CN
done

# An executive's unfiltered list by a figure: the order SQL gives over
# every account (those without the figure last), on the first and a
# later page; after the changes above (a new account without figures).
by_figure() {	# SORT COLUMN PAGE
	want=$(q "SELECT string_agg(account_id::text, ' ' ORDER BY n) FROM (SELECT a.account_id,
	          row_number() OVER (ORDER BY m.$2 DESC NULLS LAST, a.account_id) AS n
	          FROM crmx_src.accounts a LEFT JOIN crmx.latest_account_metrics m USING (account_id)) x
	          WHERE n > ($3 - 1) * 7 AND n <= $3 * 7")
	get "$ex" "/crmx/accounts.json?sort=$1&page=$3&size=7" >/dev/null
	got=$(json "' '.join(str(x['account_id']) for x in j['accounts'])")
	[ -n "$got" ] && same "$want" "$got"
}
for sc in "revenue revenue_window" "ltv ltv_pred" "activity last_activity"; do
	set -- $sc
	for pn in 1 5; do
		check "an executive's list by $1, page $pn, in SQL's order" by_figure "$1" "$2" "$pn"
	done
done
last=$(q "SELECT ceil(count(*) / 7.0) FROM crmx_src.accounts")
check "an executive's last page by revenue, in SQL's order" by_figure revenue revenue_window "$last"

# The list's total from the run's sums (Q_ACCOUNTS_COUNT_AGG, as crmx.fcgi
# --statements prints it) while a, b and c are marked changed: for every
# cap, the least of the cap and the accounts counted live, also where the
# stored counts alone reach the cap (the changed owners' accounts then not
# counted) and where they fall one short; an executive's, filtered by
# region, and a manager's.
count_sql=$(panel_statement 'least\\(u\\.n \\+ v\\.n')
check "crmx.fcgi --statements prints the count from the sums" [ -n "$count_sql" ]
run_id=$(q "SELECT run_id FROM crmx.latest_run")
count_agg() {	# CAP SCOPE REGION; the statement's last parameter is the run's
	printf '%s\n' "PREPARE c(bigint[], bigint, text, text, text, text, text, text, bigint, bigint[], bigint)
		AS $count_sql;" "EXECUTE c('{$a,$b,$c}', NULL, $3, NULL, NULL, NULL, NULL, NULL, $1, $2, $run_id);" |
	psql -h "$host" -U crmx -d t_owner_lists -X -qAt
}
rq=$(printf '%s' "$region" | sed "s/'/''/g")
team_arr="'{$team}'::bigint[]"
for v in "NULL NULL true" "NULL '$rq' region = '$rq'" "$team_arr NULL owner_id IN ($team)"; do
	set -- $v
	scope=$1 reg=$2
	shift 2
	n=$(q "SELECT count(*) FROM crmx_src.accounts WHERE $*")
	for cap in 1 7 $((n - 1)) "$n" $((n + 1)) 100000; do
		[ "$cap" -ge 1 ] || continue
		want=$((cap < n ? cap : n))
		check "the total from the sums, capped at $cap ($*: $n)" same "$(count_agg "$cap" "$scope" "$reg")" "$want"
	done
done
