#!/bin/sh
# The executive's open deals by priority or amount read from the deals that
# can make the page (queries.c Q_PIPELINE_TOP, Q_PIPELINE_TOP_AMOUNT,
# fcgi.pipeline_top_max) give the same pages as ranking every open deal
# (pipeline_top_max = 0): crmx.fcgi both ways answers byte for byte the
# same JSON, both sorts, pages 1 to past the last, two sizes, on data made
# to trip the bounds: ties (same amount, stage and day; same amount only),
# a large deal stale for years, deals that entered their stage today or
# have no date (no discount), a deal's own probability above its stage's,
# zero amounts, a deal moved to another owner and one made after the run.
# The total is the open deals' count as it is now.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "pipeline top deals through nginx" "nginx not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
trap panels_env_stop EXIT
panels_env_start t_ptop || exit 0

# after the run: ties across the first pages (six deals of one amount,
# stage and entry time); the largest deal stale for three years; deals
# that entered their stage today (one of them the best there is) and one
# with no date; qualified deals at probability 1; two at amount zero; a
# deal moved to another rep; a new deal; three deals of the tied amount
# in another stage
open="SELECT o.opportunity_id FROM crmx_native.opportunities o
      JOIN crmx_native.stages s USING (stage) WHERE NOT s.is_won AND NOT s.is_lost"
ids() { q "$open ORDER BY hashint8(o.opportunity_id) OFFSET $1 LIMIT $2" | paste -sd, -; }
big=$(q "SELECT max(amount) FROM crmx_native.opportunities")
q "UPDATE crmx_native.opportunities SET amount = $big / 2, stage = 'designed',
   stage_entered_at = now() - interval '20 days' WHERE opportunity_id IN ($(ids 0 6))"
q "UPDATE crmx_native.opportunities SET amount = $big * 3, stage = 'negotiation',
   stage_entered_at = now() - interval '3 years' WHERE opportunity_id IN ($(ids 6 1))"
q "UPDATE crmx_native.opportunities SET amount = $big * 2, stage = 'negotiation',
   stage_entered_at = now() WHERE opportunity_id IN ($(ids 7 1))"
q "UPDATE crmx_native.opportunities SET stage_entered_at = now() WHERE opportunity_id IN ($(ids 8 3))"
q "UPDATE crmx_native.opportunities SET stage_entered_at = NULL WHERE opportunity_id IN ($(ids 11 1))"
q "UPDATE crmx_native.opportunities SET stage = 'qualified', probability = 1, amount = $big,
   stage_entered_at = now() - interval '40 days' WHERE opportunity_id IN ($(ids 12 1))"
# twelve qualified deals at probability 1 that entered their stage today:
# their priority is their amount, the bound's closest case
q "UPDATE crmx_native.opportunities o SET stage = 'qualified', probability = 1,
   stage_entered_at = now(), amount = $big - x.n * 1000
   FROM (SELECT opportunity_id, row_number() OVER (ORDER BY opportunity_id) AS n
         FROM crmx_native.opportunities WHERE opportunity_id IN ($(ids 16 12))) x
   WHERE o.opportunity_id = x.opportunity_id"
q "UPDATE crmx_native.opportunities SET amount = 0 WHERE opportunity_id IN ($(ids 13 2))"
q "UPDATE crmx_native.opportunities SET owner_id = (SELECT min(user_id) FROM crmx_native.users
   WHERE role = 'rep') WHERE opportunity_id IN ($(ids 15 1))"
q "INSERT INTO crmx_native.opportunities (opportunity_id, account_id, owner_id, name, stage,
   amount, created_at, stage_entered_at)
   SELECT 990001, min(account_id), (SELECT min(user_id) FROM crmx_native.users WHERE role = 'rep'),
   'Made after the run', 'judged', $big, now(), now() - interval '2 days' FROM crmx_native.accounts"
q "UPDATE crmx_native.opportunities SET amount = $big / 2, stage = 'judged',
   stage_entered_at = now() - interval '5 days' WHERE opportunity_id IN ($(ids 28 3))"
nopen=$(q "SELECT count(*) FROM ($open) x")
check "open deals to page through (more than 40)" [ "$nopen" -gt 40 ]
exec=$(q "SELECT login FROM crmx_src.users WHERE role = 'exec' ORDER BY user_id LIMIT 1")
logins="$exec $(q "SELECT login FROM crmx_src.users WHERE role = 'manager' ORDER BY user_id LIMIT 1")"

# pages DIR: the pipeline's JSON for each viewer, sort, size and page
pages() {
	mkdir -p "$tmp/$1"
	last=$((nopen / 7 + 2))
	for u in $logins; do for o in priority amount; do for s in 7 100; do for p in 1 2 3 5 $last; do
		st=$(get "$u" "/crmx/pipeline.json?sort=$o&size=$s&page=$p")
		[ "$st" = 200 ] || echo "$u $o $s $p: $st" >>"$tmp/$1.bad"
		cp "$tmp/body" "$tmp/$1/$u.$o.$s.$p.json"
	done; done; done; done
}
PANELS_FCGI_SET="fcgi.pipeline_top_max=0"
panels_fcgi_start
pages ranked
PANELS_FCGI_SET=""
panels_fcgi_start
pages top
same_pages ranked top 40 "the top deals give the same pages as ranking every deal"

# the pages hold what was set up: the best deal first, ties in id order,
# the total as it is now (the run's count moved by the changes)
cp "$tmp/top/$exec.priority.100.1.json" "$tmp/body"
check "the executive's total is every open deal now ($nopen)" [ "$(json "j['total']")" = "$nopen" ]
check "the deal that entered its stage today comes first" \
	[ "$(json "j['deals'][0]['opportunity_id']")" = "$(ids 7 1)" ]
tied=$(json "','.join(str(d['opportunity_id']) for d in j['deals'] if d['opportunity_id'] in ($(ids 0 6)))")
check "the six tied deals are shown, by id" [ "$tied" = "$(echo "$(ids 0 6)" | tr , '\n' | sort -n | paste -sd, -)" ]
check "the deal made after the run is listed" sh -c "grep -q '\"opportunity_id\":990001,' $tmp/top/$exec.priority.100.*.json"
cp "$tmp/top/$exec.amount.100.1.json" "$tmp/body"
check "by amount: the largest first" [ "$(json "j['deals'][0]['opportunity_id']")" = "$(ids 6 1)" ]

# The executive's pages by priority read the priorities the run stored
# (0055, Q_PIPELINE_TOP_RUN), from its day on; above, the deals changed
# since the run (most of them) were read as they are now.  A run after the
# changes leaves no deal marked: every deal's row is the stored one.
"$top/$O/reportd/crmx-reportd" --set "database.conninfo=$ci" --run-once --as-of 2026-06-30 \
	>/dev/null 2>"$tmp/run2.log" || { fail "a second run"; cat "$tmp/run2.log"; }
run=$(q 'SELECT run_id FROM crmx.latest_run')
check "the run stored its open deals' priorities and its day (every open deal, unmarked)" \
	[ "$(q "SELECT count(*) FILTER (WHERE prio IS NOT NULL AND (entered IS NOT NULL OR NOT dated))
	        || '/' || (SELECT count(panel_day) FROM crmx.run WHERE run_id = $run)
	        || '/' || (SELECT count(*) FROM crmx.changed_deal)
	        FROM crmx.open_deal WHERE run_id = $run")" = "$nopen/1/0" ]
PANELS_FCGI_SET="fcgi.pipeline_top_max=0"
panels_fcgi_start
pages ranked_run
PANELS_FCGI_SET=""
panels_fcgi_start
pages top_run
same_pages ranked_run top_run 40 "from the run's stored priorities, the same pages as ranking every deal"
# the deal of highest stored priority is first; with its stored priority
# made 0 it is not on the first page (the page ranked the stored rows),
# unless the run's day is still to come (then the deals are walked)
best=$(q "SELECT opportunity_id FROM crmx.open_deal WHERE run_id = $run
          ORDER BY prio DESC, opportunity_id LIMIT 1")
on_first() {
	[ "$(get "$exec" "/crmx/pipeline.json?sort=priority&size=7")" = 200 ] &&
		json "any(d['opportunity_id'] == $best for d in j['deals'])"
}
check "the deal of highest stored priority ($best) is on the first page" [ "$(on_first)" = True ]
prio=$(q "SELECT prio FROM crmx.open_deal WHERE run_id = $run AND opportunity_id = $best")
q "UPDATE crmx.open_deal SET prio = 0 WHERE run_id = $run AND opportunity_id = $best"
check "... not with its stored priority 0: the page ranks the run's stored rows" \
	[ "$(on_first)" = False ]
q "UPDATE crmx.run SET panel_day = panel_day + 2 WHERE run_id = $run"
check "... but before the run's day the deals are walked: on the first page again" \
	[ "$(on_first)" = True ]
q "UPDATE crmx.run SET panel_day = panel_day - 2 WHERE run_id = $run"
q "UPDATE crmx.open_deal SET prio = $prio WHERE run_id = $run AND opportunity_id = $best"
# the page's rows are the stored ones, but an account renamed since (marked
# by account, not its deals) shows its new name
q "UPDATE crmx_native.accounts SET name = name || ' (renamed)' WHERE account_id =
   (SELECT account_id FROM crmx_native.opportunities WHERE opportunity_id = $best)"
[ "$(get "$exec" "/crmx/pipeline.json?sort=priority&size=7")" = 200 ]
check "a deal's account renamed since the run shows its new name" \
	[ "$(json "[d['account'] for d in j['deals'] if d['opportunity_id'] == $best][0].endswith('(renamed)')")" = True ]
check "... its deal unmarked (the page read its stored row)" \
	[ "$(q "SELECT count(*) FROM crmx.changed_deal WHERE opportunity_id = $best")" = 0 ]
q "UPDATE crmx_native.accounts SET name = left(name, -10) WHERE account_id =
   (SELECT account_id FROM crmx_native.opportunities WHERE opportunity_id = $best)"

# A team's page by priority ranks its owners' stored rows (all of them,
# Q_PIPELINE_PAGE_PRIO_RUN): its first deal with a stored weighted amount
# of 0 leaves the first page.
mgr=${logins#* }
cp "$tmp/top_run/$mgr.priority.7.1.json" "$tmp/body"
mbest=$(json "j['deals'][0]['opportunity_id']")
mw=$(q "SELECT weighted FROM crmx.open_deal WHERE run_id = $run AND opportunity_id = $mbest")
q "UPDATE crmx.open_deal SET weighted = 0 WHERE run_id = $run AND opportunity_id = $mbest"
[ "$(get "$mgr" "/crmx/pipeline.json?sort=priority&size=7")" = 200 ]
check "a team's page ranks its owners' stored rows: a stored weighted amount of 0 leaves the first page" \
	[ "$(json "any(d['opportunity_id'] == $mbest for d in j['deals'])")/$(json "len(j['deals'])")" = False/7 ]
q "UPDATE crmx.open_deal SET weighted = $mw WHERE run_id = $run AND opportunity_id = $mbest"

# A run stored 40 days ago: every deal's priority has fallen since, and
# their order moved (a deal that entered its stage 3 years ago lost less
# than one of 20 days); the pages are those of ranking every deal now.
q "UPDATE crmx.run SET panel_day = panel_day - 40 WHERE run_id = $run"
q "UPDATE crmx.open_deal x SET prio = coalesce(x.weighted, 0)
     / (1 + greatest(r.panel_day - x.entered, 0) / 30.0::float8)
   FROM crmx.run r WHERE r.run_id = x.run_id AND x.run_id = $run"
check "the stored priorities of 40 days ago are above today's (some)" \
	[ "$(q "SELECT count(*) FROM crmx.open_deal x WHERE x.run_id = $run AND x.prio >
	        coalesce(x.weighted, 0) / (1 + greatest(current_date - x.entered, 0) / 30.0::float8)")" -gt 0 ]
pages top_later
same_pages ranked_run top_later 40 "a run of 40 days ago gives the same pages as ranking every deal"

# A team's page by priority (its own statement, Q_PIPELINE_PAGE_PRIO, on
# both sides of the comparison above): every open deal of the team once,
# ordered by the priority the page's own figures give (weighted amount
# over 1 + days in stage / 30), ties by id.
mgr=${logins#* }
cp "$tmp/top/$mgr.priority.100.1.json" "$tmp/body"
team_open=$(q "SELECT count(*) FROM crmx_src.opportunities o WHERE o.outcome = 'open'
               AND o.owner_id IN (SELECT user_id FROM crmx_src.users WHERE team =
                 (SELECT team FROM crmx_src.users WHERE login = '$mgr'))")
check "a team's page by priority holds its open deals ($team_open, more than 10)" \
	[ "$(json "len(j['deals'])")" = "$team_open" -a "$team_open" -gt 10 ]
check "... ordered by priority, ties by id" /usr/bin/python3 - "$tmp/body" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["deals"]
def prio(x):
    w = (x["amount"] or 0) * (x["probability"] or 0)
    return w / (1 + max(x["days_in_stage"] or 0, 0) / 30.0)
ok = len(d) > 1
for a, b in zip(d, d[1:]):
    pa, pb = prio(a), prio(b)
    tie = abs(pa - pb) <= 1e-9 * max(abs(pa), abs(pb), 1)
    ok = ok and (pa > pb or tie) and (not tie or a["opportunity_id"] < b["opportunity_id"])
sys.exit(0 if ok else 1)
PY

# A scope of owners' page by priority (a manager's team here;
# Q_PIPELINE_PAGE_PRIO, own) reads the owners' open deals from the index
# by owner and stage alone
# (0043: 0034 had left out the columns 0013 carried, and every deal's row
# was read from the table), once the table's pages are all-visible.  On
# the demo's few hundred deals other reads cost less (a CRM's rep has
# many more closed deals than open ones), so the plan is asked for with
# whole-table reads priced out and the other indexes an owner's deals
# could be found by dropped for it (by stage, 0027 and 0033, over
# everyone; by owner alone): the index by owner and stage serves, and
# alone only if it carries what the page reads.
q "VACUUM (ANALYZE) crmx_native.opportunities"
team=$(q "SELECT array_agg(user_id ORDER BY user_id) FROM crmx_src.users
          WHERE team = (SELECT team FROM crmx_src.users WHERE role = 'manager' ORDER BY user_id LIMIT 1)")
run=$(q 'SELECT run_id FROM crmx.latest_run')
sql=$(panel_statement '^-- crmx_[0-9]+o\nSELECT t.opportunity_id.*[$]4::bigint AS total')
plan=$(printf '%s\n' "SET plan_cache_mode = force_generic_plan;" \
	"SET enable_seqscan = off; SET enable_bitmapscan = off;" "BEGIN;" \
	"DROP INDEX crmx_native.opportunities_stage_panel, crmx_native.opportunities_stage_amount,
	 crmx_native.opportunities_owner_id_idx;" \
	"PREPARE p(bigint[], bigint, bigint, bigint, bigint) AS $sql;" \
	"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) EXECUTE p('$team', 100, 0, 0, $run);" "ROLLBACK;" |
	psql -h "$host" -U crmx -d "$db" -X -qAt)
check "a team's page reads its open deals from the index by owner and stage alone" \
	sh -c "printf '%s\n' \"\$1\" | grep -q 'Index Only Scan using opportunities_owner_stage on opportunities'" _ "$plan"
check "... with no row read from the table" \
	sh -c "printf '%s\n' \"\$1\" | grep -A3 'Index Only Scan using opportunities_owner_stage' | grep -q 'Heap Fetches: 0'" _ "$plan"
