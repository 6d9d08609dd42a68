/* The panels' SQL.  Each statement is prepared once per connection under
 * the name "crmx_<n>"; handlers pick one by its enum and pass values as
 * parameters.  Reads go through the crmx_src views (the adapter contract)
 * and crmx's own tables; the only writes are the plugin-owned records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "log.h"
#include "queries.h"
#include "sbuf.h"
#include "util.h"

/* The latest run's id as a parameter of its own: query_run adds it after
 * the caller's (as $N, N the statement's highest parameter + 1), read
 * once per request (Q_LATEST_RUN, or what Q_PANEL_AGG said).  Known when
 * a plan starts, it leaves the other kept runs' partitions out (each was
 * set up, its index opened, on every read) and spares each statement its
 * own look-ups of the latest run; the statements of a page all read the
 * same run.  NULL before the first run: no run rows, as a join with an
 * empty crmx.latest_run gave. */
#define RUN "{{run}}"
/* The latest run's figures m of account a. */
#define RUN_METRICS "crmx.account_metrics m ON m.run_id = " RUN " AND m.account_id = a.account_id"
/* The list's filters on the run's figures of m: class, lifecycle, grade. */
#define RUN_FILTERS \
    " AND ($5::text IS NULL OR m.abc_class = $5) AND ($6::text IS NULL OR m.segment = $6)" \
    " AND ($7::text IS NULL OR m.qual_grade = $7)"
/* The accounts list; filters are NULL when unused ($2..$7), then limit
 * and offset.  One statement per sort key: ORDER BY is never user text.
 * No total here: counting every row would make the database sort them
 * all before the limit (Q_ACCOUNTS_COUNT counts, up to a cap). */
#define ACCOUNTS_FROM \
    " FROM crmx_src.accounts a LEFT JOIN crmx_src.users u ON u.user_id = a.owner_id" \
    " LEFT JOIN " RUN_METRICS ACCOUNTS_FILTERS
/* The search box: an ILIKE pattern ("%term%", made by listnav.c) over the
 * name or the city, NULL when unused.  The index of the characters and
 * character pairs of name and city (0026) gives the candidates, also for
 * one- and two-character terms, which make no trigram (0019); the ILIKE
 * keeps the exact matches.  Written ILIKE first: where nothing indexes
 * the grams (a statement planned once, a CRM's own tables) the ILIKE
 * runs first and the grams are worked out only for its matches. */
#define ACCOUNTS_SEARCH(p) \
    " AND (" p "::text IS NULL OR ((a.name ILIKE " p " OR a.city ILIKE " p ")" \
    " AND " SEARCH_KEYS(p) "))"
/* The grams of every match of P are among the account's (0026, 0040). */
#define SEARCH_KEYS(p) \
    "crmx.search_keys(a.owner_id, a.name, a.city) @> crmx.pattern_grams(" p "::text)"
/* The account is among the candidates of OWNERS' accounts for P, looked
 * up once (the adapter's crmx_src.search_owned, 0040). */
#define SEARCH_OWNED(owners, p) \
    "a.account_id = ANY((SELECT crmx_src.search_owned(" owners ", " p "::text))::bigint[])"
/* ACCOUNTS_SEARCH of a list whose scope is $1 and owner $2: the owner's
 * own grams when the list has one; else over a set of owners theirs (the
 * grams of all accounts matched those of every owner: for "harbor" at
 * 1M, 33,377 accounts, 14,215 pages read for a team's 215 matches,
 * 100 ms), over everyone the grams.  Planned per request, the CASE keeps
 * one arm. */
#define ACCOUNTS_SEARCH_SCOPED(p) \
    " AND (" p "::text IS NULL OR ((a.name ILIKE " p " OR a.city ILIKE " p ") AND" \
    " CASE WHEN $2::bigint IS NOT NULL THEN " SEARCH_OWNED("ARRAY[$2::bigint]", p) \
    " ELSE " OWN_ONLY(SEARCH_OWNED("$1::bigint[]", p)) ALL_ONLY(SEARCH_KEYS(p)) " END))"
/* The same test of rows already in hand (a walk of an index in list
 * order): the ILIKE alone.  With the grams the planner took the index of
 * grams instead, read every match (33,377 for "harbor" at 1M) and sorted
 * them: 107 ms where the walk stops after the page in 14. */
#define ACCOUNTS_SEARCH_ROW(p) \
    " AND (" p "::text IS NULL OR a.name ILIKE " p " OR a.city ILIKE " p ")"
/* The list sorted by a run's figure KEY (DESC NULLS LAST, then account):
 * the rows with a figure are read in that order from the run partition's
 * index (0025, 0042) and stop after the page; the rows without one (no figure,
 * or an account newer than the run) are read only when those run out
 * before the page ends ($8 the search, $9 rows from $10).  Same rows, same order as ACCOUNTS_SQL(KEY),
 * which still reads the pages far down the list (accounts.c, DEEP_ROWS),
 * where the index would be walked a long way for one page. */
#define ACCOUNTS_COLS \
    " a.account_id, a.name, a.region, a.city, a.owner_id, m.abc_class, m.revenue_window," \
    " m.hist_ltv, m.ltv_pred, m.p_alive, m.segment, m.qual_grade, m.open_deals, m.last_activity"
#define ACCOUNTS_FILTERS \
    " WHERE " SCOPE_SQL("a.owner_id") " AND ($2::bigint IS NULL OR a.owner_id = $2::bigint)" \
    ACCOUNTS_FILTERS_ROW ACCOUNTS_SEARCH_SCOPED("$8")
/* The filters but the scope and the owner ($3..$8). */
#define ACCOUNTS_FILTERS_REST ACCOUNTS_FILTERS_ROW ACCOUNTS_SEARCH("$8")
/* The region, city and run's filters ($3..$7). */
#define ACCOUNTS_FILTERS_ROW \
    " AND ($3::text IS NULL OR a.region = $3) AND ($4::text IS NULL OR a.city = $4)" RUN_FILTERS
#define ACCOUNTS_TOPN(key) ACCOUNTS_TOPN_F(key, ACCOUNTS_FILTERS)
#define ACCOUNTS_TOPN_F(key, filters) \
    "WITH k AS MATERIALIZED (SELECT" ACCOUNTS_COLS ", " key " AS sortkey" \
    "  FROM crmx_src.accounts a JOIN " RUN_METRICS \
    filters " AND " key " IS NOT NULL" \
    "  ORDER BY " key " DESC NULLS LAST, m.account_id LIMIT $9::bigint + $10::bigint)," \
    " n AS (SELECT" ACCOUNTS_COLS ", " key " AS sortkey" \
    "  FROM crmx_src.accounts a LEFT JOIN " RUN_METRICS filters " AND " key " IS NULL" \
    "  AND (SELECT count(*) FROM k) < $9::bigint + $10::bigint" \
    "  ORDER BY a.account_id LIMIT $9::bigint + $10::bigint)" ACCOUNTS_PAGE
/* ACCOUNTS_TOPN of a list without filters or search (accounts.c): the
 * filters' parameters are only tested once for NULL, so that one plan
 * serves (the run's index walked in order, each row's account by key)
 * where ACCOUNTS_TOPN is planned for each request's values: 1.6 ms of
 * parsing and planning for 0.7 of work on an executive's first page. */
#define ACCOUNTS_NO_FILTERS \
    " WHERE " SCOPE_SQL("a.owner_id") " AND $2::bigint IS NULL AND $3::text IS NULL" \
    " AND $4::text IS NULL AND $5::text IS NULL AND $6::text IS NULL AND $7::text IS NULL" \
    " AND $8::text IS NULL"
/* The page of a list from k, the rows with a figure, and n, those without. */
#define ACCOUNTS_PAGE \
    " SELECT x.account_id, x.name, x.region, x.city," \
    " (SELECT u.name FROM crmx_src.users u WHERE u.user_id = x.owner_id) AS owner, x.abc_class," \
    " x.revenue_window, x.hist_ltv, x.ltv_pred, x.p_alive, x.segment, x.qual_grade," \
    " x.open_deals, to_char(x.last_activity, 'YYYY-MM-DD') AS last_activity" \
    " FROM (SELECT * FROM k UNION ALL SELECT * FROM n) x" \
    " ORDER BY x.sortkey DESC NULLS LAST, x.account_id LIMIT $9::bigint OFFSET $10::bigint"
/* The run's columns of a list row (ACCOUNTS_COLS' m. ones). */
#define OWNED_RUN_COLS \
    " m.account_id, m.abc_class, m.revenue_window, m.hist_ltv, m.ltv_pred, m.p_alive," \
    " m.segment, m.qual_grade, m.open_deals, m.last_activity"
/* ACCOUNTS_FILTERS_REST of a run's row m: the account's own filters
 * (region, city, search) by its key, only when one is set. */
#define OWNED_FILTERS \
    RUN_FILTERS \
    " AND (($3::text IS NULL AND $4::text IS NULL AND $8::text IS NULL) OR EXISTS (SELECT 1" \
    "  FROM crmx_src.accounts a WHERE a.account_id = m.account_id" \
    "  AND ($3::text IS NULL OR a.region = $3) AND ($4::text IS NULL OR a.city = $4)" \
    ACCOUNTS_SEARCH("$8") "))"
/* ACCOUNTS_TOPN for a scope of owners ($11, within it $2) from the run's
 * rows by owner (0032): each owner's first rows in key order from the
 * run partition's index on (owner, KEY), the rows of an owner the change
 * feed marked since the run ($1, panelagg.h) read live in their place.
 * For an unmarked owner, the rows the run stored under the owner are its
 * accounts now (0032): checking the account's own owner too would make
 * the planner expect a thousand rows walked per row kept, and read every
 * account of the scope instead.  The walked rows (c) are the run's
 * alone, their account read only for a filter on it; the page's rows
 * then get their account's columns (a team of seven: each owner's 51
 * rows joined to their accounts cost 2 of a manager's 3 ms).  Same rows,
 * same order as ACCOUNTS_TOPN(m.KEY). */
#define ACCOUNTS_OWNED(key) \
    "WITH o AS MATERIALIZED (SELECT DISTINCT s.id FROM unnest($11::bigint[]) s(id)" \
    "  WHERE $2::bigint IS NULL OR s.id = $2::bigint)," \
    " c AS MATERIALIZED (SELECT x.* FROM o CROSS JOIN LATERAL (SELECT" OWNED_RUN_COLS "," \
    "  m." key " AS sortkey FROM crmx.account_metrics m" \
    "  WHERE m.run_id = " RUN " AND m.owner_id = o.id" \
    "  AND m." key " IS NOT NULL" OWNED_FILTERS \
    "  ORDER BY m." key " DESC NULLS LAST, m.account_id LIMIT $9::bigint + $10::bigint) x" \
    "  WHERE o.id <> ALL($1::bigint[])" \
    "  ORDER BY x.sortkey DESC NULLS LAST, x.account_id LIMIT $9::bigint + $10::bigint)," \
    " k AS MATERIALIZED (SELECT a.account_id, a.name, a.region, a.city, a.owner_id," \
    "  c.abc_class, c.revenue_window, c.hist_ltv, c.ltv_pred, c.p_alive, c.segment," \
    "  c.qual_grade, c.open_deals, c.last_activity, c.sortkey" \
    "  FROM c JOIN crmx_src.accounts a ON a.account_id = c.account_id" \
    "  UNION ALL (SELECT" ACCOUNTS_COLS ", m." key " AS sortkey" \
    "  FROM crmx_src.accounts a JOIN " RUN_METRICS \
    "  WHERE a.owner_id IN (SELECT id FROM o) AND a.owner_id = ANY($1::bigint[])" \
    "  AND m." key " IS NOT NULL" ACCOUNTS_FILTERS_REST \
    "  ORDER BY m." key " DESC NULLS LAST, m.account_id LIMIT $9::bigint + $10::bigint))," \
    " n AS (SELECT" ACCOUNTS_COLS ", m." key " AS sortkey" \
    "  FROM crmx_src.accounts a LEFT JOIN " RUN_METRICS \
    "  WHERE a.owner_id IN (SELECT id FROM o)" ACCOUNTS_FILTERS_REST \
    "  AND m." key " IS NULL AND (SELECT count(*) FROM k) < $9::bigint + $10::bigint" \
    "  ORDER BY a.account_id LIMIT $9::bigint + $10::bigint)" ACCOUNTS_PAGE
/* The search over a run's figure KEY when the term matches many accounts:
 * the first WALK_ROWS rows of the run partition's index (0025, 0042), in key
 * order, each tested against the term and the filters, stop after the
 * page (a common term matches one row in a hundred), where ACCOUNTS_TOPN
 * ranks every match.  Exact only when the walk filled the page ($9 rows
 * from $10): accounts.c checks that and else runs ACCOUNTS_TOPN; rows
 * without a figure come after all those with one in either.  Each walked
 * row's account is read by its key (a LATERAL the planner cannot turn
 * into a join: OFFSET 0): as a join, where the term's matches were
 * thought few, the planner read every account through the term and
 * hashed them (the executive's search for "华腾" at 1M: 1.3 s instead of
 * 40 ms). */
#define WALK_ROWS "20000"
#define ACCOUNTS_WALK(key) \
    "SELECT a.account_id, a.name, a.region, a.city," \
    " (SELECT u.name FROM crmx_src.users u WHERE u.user_id = a.owner_id) AS owner, m.abc_class," \
    " m.revenue_window, m.hist_ltv, m.ltv_pred, m.p_alive, m.segment, m.qual_grade," \
    " m.open_deals, to_char(m.last_activity, 'YYYY-MM-DD') AS last_activity" \
    " FROM (SELECT w.* FROM crmx.account_metrics w" \
    "  WHERE w.run_id = " RUN " AND w." key " IS NOT NULL" \
    "  ORDER BY w." key " DESC NULLS LAST, w.account_id LIMIT " WALK_ROWS ") m" \
    " CROSS JOIN LATERAL (SELECT a.account_id, a.name, a.region, a.city, a.owner_id" \
    "  FROM crmx_src.accounts a WHERE a.account_id = m.account_id OFFSET 0) a" \
    " WHERE " SCOPE_SQL("a.owner_id") " AND ($2::bigint IS NULL OR a.owner_id = $2::bigint)" \
    " AND ($3::text IS NULL OR a.region = $3) AND ($4::text IS NULL OR a.city = $4)" \
    RUN_FILTERS ACCOUNTS_SEARCH_ROW("$8") \
    " ORDER BY m." key " DESC NULLS LAST, m.account_id LIMIT $9::bigint OFFSET $10::bigint"
/* A scope's list ($1, within it $2) by name: each owner's first accounts
 * in name order (0032's index on owner and name in the native adapter),
 * then merged; COLL the collation.  Same rows, same order as
 * ACCOUNTS_SQL(a.name COLL, a.account_id), where the index of every
 * name was walked until the page held the scope's accounts (a thousand
 * names walked per name kept for a rep). */
#define ACCOUNTS_OWNED_NAME(coll) \
    "WITH o AS MATERIALIZED (SELECT DISTINCT s.id FROM unnest($1::bigint[]) s(id)" \
    "  WHERE $2::bigint IS NULL OR s.id = $2::bigint)" \
    " SELECT x.account_id, x.name, x.region, x.city," \
    " (SELECT u.name FROM crmx_src.users u WHERE u.user_id = x.owner_id) AS owner, x.abc_class," \
    " x.revenue_window, x.hist_ltv, x.ltv_pred, x.p_alive, x.segment, x.qual_grade," \
    " x.open_deals, to_char(x.last_activity, 'YYYY-MM-DD') AS last_activity" \
    " FROM o CROSS JOIN LATERAL (SELECT" ACCOUNTS_COLS " FROM crmx_src.accounts a" \
    "  LEFT JOIN " RUN_METRICS \
    "  WHERE a.owner_id = o.id" ACCOUNTS_FILTERS_REST \
    "  ORDER BY a.name" coll ", a.account_id LIMIT $9::bigint + $10::bigint) x" \
    " ORDER BY x.name" coll ", x.account_id LIMIT $9::bigint OFFSET $10::bigint"
#define ACCOUNTS_SQL(order) \
    "SELECT a.account_id, a.name, a.region, a.city, u.name AS owner, m.abc_class," \
    " m.revenue_window, m.hist_ltv, m.ltv_pred, m.p_alive, m.segment, m.qual_grade," \
    " m.open_deals, to_char(m.last_activity, 'YYYY-MM-DD') AS last_activity" ACCOUNTS_FROM \
    " ORDER BY " order " LIMIT $9::bigint OFFSET $10::bigint"

/* "The account $2 is the viewer's to see." */
#define ACCOUNT_VISIBLE \
    "EXISTS (SELECT 1 FROM crmx_src.accounts a WHERE a.account_id = $2::bigint AND " \
    SCOPE_SQL("a.owner_id") ")"
#define DEAL_VISIBLE \
    "EXISTS (SELECT 1 FROM crmx_src.opportunities o WHERE o.opportunity_id = $2::bigint AND " \
    SCOPE_SQL("o.owner_id") ")"
/* The qualification grade of a record as saved (docs/metrics.md §5, as
 * reportd grades it): A all three checks true, B two, C fewer; NULL
 * without a record.  Shown live, not from the last run. */
#define LIVE_GRADE(q) \
    "CASE WHEN " q ".account_id IS NULL THEN NULL ELSE (ARRAY['C', 'C', 'B', 'A'])[1 +" \
    " coalesce(" q ".has_need::int, 0) + coalesce(" q ".can_pay::int, 0) +" \
    " coalesce(" q ".has_authority::int, 0)] END"
/* A precise (A-grade) prospect: need, ability to pay and authority recorded. */
#define PRECISE(q) "coalesce(" q ".has_need AND " q ".can_pay AND " q ".has_authority, false)"
/* Whether account ACC is a precise customer now. */
#define PRECISE_NOW(acc) \
    "coalesce((SELECT " PRECISE("q") " FROM crmx.qualification q WHERE q.account_id = " acc ")," \
    " false)"

/* The regions view's accounts (Q_REGIONS, Q_REGIONS_AGG), then its
 * filters: $2 class, $3 segment, $4 region.  Each account's qualification
 * by its key: a join hashed every qualification (600,000 at 1M accounts)
 * for a team's few thousand accounts. */
#define REGION_ROWS \
    "SELECT a.account_id, a.name, coalesce(a.region, '') AS region," \
    "  coalesce(a.city, '') AS city, m.revenue_window AS rev, m.open_deals, m.abc_class," \
    "  " PRECISE_NOW("a.account_id") " AS precise" \
    "  FROM crmx_src.accounts a" \
    "  LEFT JOIN " RUN_METRICS
#define REGION_FILTERS \
    "  AND ($2::text IS NULL OR m.abc_class = $2) AND ($3::text IS NULL OR m.segment = $3)" \
    "  AND ($4::text IS NULL OR a.region = $4)"
/* Per region and city (g) and the precise customers to rank (p): only
 * precise customers are ranked, the rest are only counted. */
#define REGION_OUT \
    " top AS (SELECT region, city, json_agg(json_build_array(account_id, name) ORDER BY rn) AS top" \
    "  FROM (SELECT region, city, account_id, name, row_number() OVER (PARTITION BY region, city" \
    "   ORDER BY rev DESC NULLS LAST, account_id) AS rn FROM p) p" \
    "  WHERE rn <= 5 GROUP BY region, city)" \
    " SELECT g.region, g.city, g.n, g.np, g.na, g.rev, g.deals, coalesce(t.top, '[]') AS top" \
    " FROM g LEFT JOIN top t ON t.region = g.region AND t.city = g.city" \
    " ORDER BY g.region, g.np DESC, g.city"
/* A layer of Q_FUNNEL_AGG: its deals are summed counts (n). */
#define LAYER_AGG(k) \
    " coalesce(sum(n) FILTER (WHERE stage_rank = " #k "), 0) AS open" #k "," LAYER_SUMS(k)
/* Deals closed in the run's window by KEY (x. the sums, o. a deal) and
 * outcome from the run's sums, as Q_FUNNEL_AGG ($1 the changed owners,
 * $2 the scope); OUTCOMES the outcomes read, quoted.  The changed owners'
 * deals are not looked for when there are none (a one-time filter): at
 * 100,000 accounts the generic plan read the window's 68,738 closed deals
 * from the index on closed_at before the empty owner list, 5.5 ms of
 * every executive's pipeline (0.09 so).  Everyone's and a scope's are
 * two statements, as Q_FUNNEL_AGG's. */
#define CLOSED_AGG(xkey, okey, outcomes) \
    ALL_ONLY("SELECT " xkey ", x.outcome, x.deals AS n, x.amount FROM crmx.closed_agg x" \
    "  WHERE x.run_id = " RUN " AND x.whole AND x.outcome IN ('" outcomes "')" \
    " UNION ALL SELECT " xkey ", x.outcome, -x.deals, -x.amount FROM crmx.closed_agg x" \
    "  WHERE x.run_id = " RUN " AND NOT x.whole AND x.outcome IN ('" outcomes "')" \
    "  AND x.owner_id = ANY($1::bigint[])") \
    OWN_ONLY("SELECT " xkey ", x.outcome, x.deals AS n, x.amount FROM crmx.closed_agg x" \
    "  WHERE x.run_id = " RUN " AND NOT x.whole AND x.outcome IN ('" outcomes "')" \
    "  AND x.owner_id = ANY($2::bigint[]) AND x.owner_id <> ALL($1::bigint[])") \
    " UNION ALL SELECT " okey ", o.outcome, 1, o.amount FROM crmx_src.opportunities o" \
    "  WHERE o.owner_id = ANY($1::bigint[]) AND cardinality($1::bigint[]) > 0" \
    "  AND " SCOPE_AT("o.owner_id", "2") \
    "  AND o.outcome IN ('" outcomes "')" \
    "  AND o.closed_at >= " WINDOW_START " AND o.closed_at < " WINDOW_END " + 1)"
/* The first day after this month and after this quarter, as dates: each a
 * subquery, computed once per statement (as a plain expression it was
 * computed for every row: 5 of an executive's 20 ms on the team view). */
#define MONTH_END "(SELECT (date_trunc('month', current_date) + interval '1 month')::date)"
#define QUARTER_END "(SELECT (date_trunc('quarter', current_date) + interval '3 months')::date)"
/* The team view (Q_TEAM, Q_TEAM_AGG): a deal's weighted amount with
 * probability P, as numeric so that sums do not depend on their order. */
#define TEAM_W(p) "(o.amount * " p ")::numeric"
/* A deal's part of the team view's open deals by due month: as it is now
 * (o, its learned probability f: due month, 1, dated, amount, weighted,
 * learned) and, taken out, as the run stored it (X a row of
 * crmx.open_deal). */
#define TEAM_DEAL_NOW \
    "date_trunc('month', o.expected_close)::date, 1, (o.stage_entered_at IS NOT NULL)::int," \
    " o.amount, " TEAM_W("o.probability") ", " TEAM_W("f.probability")
#define TEAM_DEAL_RUN(x) \
    x ".due_month, -1, -" x ".dated::int, -" x ".amount, -(" x ".weighted::numeric), -" x ".learned"
/* and its part of the count of deals with a learned forecast (a sum of
 * learned forecasts is unknown when that count is 0, not a known 0) */
#define TEAM_LEARNED_NOW "(" TEAM_W("f.probability") " IS NOT NULL)::int"
#define TEAM_LEARNED_RUN(x) "-(" x ".learned IS NOT NULL)::int"
/* W when a deal due on DUE or in its month (NULL: none) counts in a
 * forecast up to END (a deal without a due date: today); 0056's
 * crmx.store_team_whole applies the same rule to the run's day */
#define TEAM_DUE_BEFORE(due, end, w) \
    "CASE WHEN coalesce(" due ", current_date) < " end " THEN " w " END"
/* this month's and this quarter's weighted forecast, DUE the due date or
 * its month, W a deal's (or a sum's) weighted amount */
#define TEAM_FORECAST(due, w) \
    " coalesce(sum(" TEAM_DUE_BEFORE(due, MONTH_END, w) "), 0) AS forecast_month," \
    " coalesce(sum(" TEAM_DUE_BEFORE(due, QUARTER_END, w) "), 0) AS forecast_quarter,"
/* Q_TEAM_AGG's scope, $2: a manager's variant has its own plan, prepared
 * once (0.9 ms where planning each request took 6 of 7); everyone's is
 * planned per request (planned_per_request). */
#define TEAM_SCOPE2(col) SCOPE_AT(col, "2")
/* [metrics] stall_days, set on the session by queries_prepare: unlike a
 * parameter, a plan made once still sees its value (current_setting is
 * stable), so the team view's generic plan finds the deals whose stage
 * began within the stall days by the index on that date.  Q_TEAM reads
 * it the same way. */
#define STALL_DAYS "current_setting('crmx.stall_days')::int"
/* The team view's rows from its CTEs o (open deals per owner) and p
 * (precise customers per owner), SCOPE a macro naming the viewer's
 * scope of a column: the reps in scope (role 'rep' or an owner of open
 * deals), won this quarter (live), the latest run's owner metrics and
 * the 80/20 shares; the run's won and lost deals and open deals (the
 * bases of win rate and key-person coverage, summed per team); the run's
 * as-of date on every row, looked up once (joined to each rep's metrics,
 * crmx.run was scanned once per rep: 10 of an executive's 26 ms).  Teams
 * are '' for users without one. */
#define TEAM_ROWS(SCOPE) \
    " u AS (SELECT u.user_id, u.name, coalesce(u.team, '') AS team FROM crmx_src.users u" \
    " WHERE " SCOPE("u.user_id") " AND (u.role = 'rep'" \
    "  OR u.user_id IN (SELECT o.owner_id FROM o)))," \
    " w AS (SELECT o.owner_id, sum(o.amount) AS won_quarter FROM crmx_src.opportunities o" \
    " WHERE " SCOPE("o.owner_id") " AND o.outcome = 'won'" \
    " AND o.closed_at >= date_trunc('quarter', current_date) GROUP BY o.owner_id)," \
    " t AS (SELECT u.*, m.revenue, m.win_rate, m.activity_minutes, m.revenue_per_hour," \
    " m.key_person_coverage, m.won, m.lost, m.open_deals AS run_open," \
    " sum(coalesce(m.revenue, 0)) OVER (PARTITION BY u.team) AS team_revenue," \
    " sum(coalesce(m.revenue, 0)) OVER (PARTITION BY u.team ORDER BY coalesce(m.revenue, 0) DESC," \
    " u.user_id ROWS UNBOUNDED PRECEDING) AS cum_revenue" \
    " FROM u LEFT JOIN crmx.owner_metrics m ON m.run_id = " RUN " AND m.owner_id = u.user_id)" \
    " SELECT t.user_id, t.name, t.team, coalesce(o.open_deals, 0) AS open_deals," \
    " coalesce(o.open_amount, 0) AS open_amount, coalesce(o.weighted, 0) AS weighted," \
    " coalesce(o.forecast_month, 0) AS forecast_month," \
    " coalesce(o.forecast_quarter, 0) AS forecast_quarter," \
    " coalesce(w.won_quarter, 0) AS won_quarter," \
    " t.win_rate, coalesce(o.stalled, 0) AS stalled, coalesce(o.unreviewed, 0) AS unreviewed," \
    " t.activity_minutes / 60.0 AS activity_hours, t.activity_minutes," \
    " t.revenue_per_hour, t.revenue AS won_12m," \
    " coalesce(p.precise, 0) AS precise, t.key_person_coverage," \
    " t.revenue / nullif(t.team_revenue, 0) AS revenue_share," \
    " t.cum_revenue / nullif(t.team_revenue, 0) AS cum_share, o.learned," \
    " t.won AS won_n, t.lost AS lost_n, t.run_open," \
    KEEPS_STAGE_WEIGHTS " AS keeps_weights," \
    " (SELECT r.as_of FROM crmx.run r WHERE r.run_id = " RUN ")::text AS as_of" \
    " FROM t LEFT JOIN o ON o.owner_id = t.user_id LEFT JOIN w ON w.owner_id = t.user_id" \
    " LEFT JOIN p ON p.owner_id = t.user_id"
#define TEAM_ORDER " ORDER BY t.team, coalesce(t.revenue, 0) DESC, t.user_id"
/* COL is one of the owners of scope P (NULL: everyone). */
#define IN_SCOPE(col, p) "(" p "::bigint[] IS NULL OR " col " = ANY(" p "::bigint[]))"
/* The deals changed since the run (0038): each one's row as the run
 * counted it (crmx.open_deal x) is taken out of the sums and the deal as
 * it is now (o) added, unless its owner then or now is among the owners
 * $1 read whole.  As an array, so that each is looked up by key (as a
 * set, a plan may walk a table's whole key index to meet them). */
#define CHANGED_DEALS "ANY(ARRAY(SELECT c.opportunity_id FROM crmx.changed_deal c))"
/* The changed deals as they are now (o), each looked up once by key:
 * with the key an array (CHANGED_DEALS), a generic plan joined the
 * view's open stages first and looked the deals up once per stage (150
 * changed: 750 lookups, 1.1 ms of every executive's funnel). */
#define CHANGED_DEALS_NOW \
    " (SELECT DISTINCT c.opportunity_id FROM crmx.changed_deal c) cd" \
    "  CROSS JOIN LATERAL (SELECT o.* FROM crmx_src.opportunities o" \
    "  WHERE o.opportunity_id = cd.opportunity_id OFFSET 0) o"
#define NOT_OWNER1(col) "NOT coalesce(" col " = ANY($1::bigint[]), false)"
/* The accounts whose qualification changed since the run (0038): each
 * one's (a's) "precise" as it is now in place of as the run counted it
 * (PRECISE_DELTA), unless its owner is read whole. */
#define CHANGED_ACCOUNTS "ANY(ARRAY(SELECT c.account_id FROM crmx.changed_account c))"
#define CHANGED_ACCOUNTS_SET "(SELECT c.account_id FROM crmx.changed_account c)"
#define PRECISE_RUN \
    "EXISTS (SELECT 1 FROM crmx.precise_account x WHERE x.run_id = " RUN \
    " AND x.account_id = a.account_id)"
#define PRECISE_DELTA "(" PRECISE_NOW("a.account_id") ")::int - (" PRECISE_RUN ")::int"
/* An executive's team view from the run's sums per team (0048): the
 * run's members shown as reps among the owners read live ($1, distinct),
 * each looked up by key (a generic plan read all 1,170 members at 1M). */
#define TEAM_ROWS_STORED "(SELECT s.team_rows FROM crmx.run s WHERE s.run_id = " RUN ")"
#define TEAM_LIVE_OF(live) \
    " x AS (SELECT m.owner_id, m.team FROM unnest(" live ") l(id)" \
    "  CROSS JOIN LATERAL (SELECT m.owner_id, m.team FROM crmx.team_member m" \
    "  WHERE m.run_id = " RUN " AND m.owner_id = l.id AND m.shown OFFSET 0) m),"
#define TEAM_LIVE_X TEAM_LIVE_OF("$1::bigint[]")
/* The parts Q_TEAM_TEAMS and Q_TEAM_WHOLE share: the shown members not
 * read live (sm); the run's open deals of the owners read live ($1, or
 * LIVE) and of the changed deals, each with its owner's team (m, looked
 * up by key); the changed open deals as they are now (o, their learned
 * forecast f); the stored bases of the members read live, to take out
 * (x); the changed accounts' precise customers (a); and the live counts:
 * won this quarter, stage begun within the stall days, reviewed in 14
 * days (o). */
#define TEAM_SM_OF(live) \
    " sm AS (SELECT m.owner_id, m.team FROM crmx.team_member m WHERE m.run_id = " RUN \
    "  AND m.shown AND m.owner_id <> ALL(" live ")),"
#define TEAM_SM TEAM_SM_OF("$1::bigint[]")
/* (a: the run's rows, from; m: each one's team) */
#define TEAM_RUN_TEAM(from) \
    "  FROM " from " CROSS JOIN LATERAL (SELECT m.team FROM crmx.team_member m" \
    "  WHERE m.run_id = " RUN " AND m.owner_id = a.owner_id AND m.shown OFFSET 0) m"
#define TEAM_RUN_CHANGED \
    TEAM_RUN_TEAM("crmx.open_deal a") \
    "  WHERE a.run_id = " RUN " AND (a.owner_id = ANY($1::bigint[])" \
    "  OR a.opportunity_id = " CHANGED_DEALS ")"
/* (o: the deals now, from) */
#define TEAM_NOW_OF(from, live) \
    "  FROM" from \
    "  JOIN crmx.team_member m ON m.run_id = " RUN " AND m.owner_id = o.owner_id AND m.shown" \
    "  LEFT JOIN crmx.deal_forecast f ON f.run_id = " RUN " AND f.opportunity_id = o.opportunity_id" \
    "  WHERE o.owner_id <> ALL(" live ") AND o.outcome = 'open'"
#define TEAM_NOW_CHANGED TEAM_NOW_OF(CHANGED_DEALS_NOW, "$1::bigint[]")
#define TEAM_X_BASES \
    "x.team, -1, -(m.owner_id IS NOT NULL)::int, -coalesce(m.revenue, 0)," \
    "  -coalesce(m.activity_minutes, 0), -coalesce(m.won, 0), -coalesce(m.lost, 0)," \
    "  -CASE WHEN m.key_person_coverage IS NOT NULL AND m.open_deals > 0" \
    "  THEN m.open_deals ELSE 0 END," \
    "  -CASE WHEN m.open_deals > 0 THEN coalesce(round(m.key_person_coverage * m.open_deals), 0)" \
    "  ELSE 0 END, -coalesce(p.precise, 0)"
#define TEAM_X_BASES_FROM \
    " FROM x" \
    "  LEFT JOIN crmx.owner_metrics m ON m.run_id = " RUN " AND m.owner_id = x.owner_id" \
    "  LEFT JOIN crmx.team_precise p ON p.run_id = " RUN " AND p.owner_id = x.owner_id"
#define TEAM_PRECISE_OF(live) \
    " FROM crmx_src.accounts a" \
    "  JOIN crmx.team_member m ON m.run_id = " RUN " AND m.owner_id = a.owner_id AND m.shown" \
    "  WHERE a.account_id = " CHANGED_ACCOUNTS " AND a.owner_id <> ALL(" live ")"
#define TEAM_PRECISE_CHANGED TEAM_PRECISE_OF("$1::bigint[]")
#define TEAM_WON_QUARTER \
    " FROM crmx_src.opportunities o" \
    "  JOIN sm ON sm.owner_id = o.owner_id WHERE o.outcome = 'won'" \
    "  AND o.closed_at >= date_trunc('quarter', current_date)"
#define TEAM_STAGE_NEW \
    " FROM crmx_src.opportunities o" \
    "  JOIN sm ON sm.owner_id = o.owner_id WHERE o.outcome = 'open'" \
    "  AND o.stage_entered_at >= (current_date - " STALL_DAYS ")::timestamptz"
#define TEAM_REVIEWED \
    " FROM (SELECT DISTINCT r.opportunity_id FROM crmx.deal_review r" \
    "  WHERE r.created_at >= now() - interval '14 days') r" \
    "  JOIN crmx_src.opportunities o USING (opportunity_id)" \
    "  JOIN sm ON sm.owner_id = o.owner_id WHERE o.outcome = 'open'"
/* Q_TEAM_TEAMS_ACC's changes by team and month (ACC_MONTHS' r and e,
 * TEAM_LIVE_X's x; $2 the owners changed for the closed deals' sums) */
#define TEAM_ACC_DELTA \
    " d AS (SELECT t.team, t.m, sum(t.won) AS won, sum(t.forecast) AS forecast FROM (" \
    "  SELECT x.team, w.month AS m, -w.won AS won, -w.forecast AS forecast FROM x" \
    "  JOIN crmx.won_month w ON w.run_id = " RUN " AND w.owner_id = x.owner_id" \
    "  UNION ALL SELECT m.team, w.month, -w.won, 0 FROM crmx.won_month w" \
    "  JOIN crmx.team_member m ON m.run_id = " RUN " AND m.owner_id = w.owner_id AND m.shown" \
    "  WHERE w.run_id = " RUN " AND w.owner_id = ANY($2::bigint[])" \
    "  AND w.owner_id <> ALL($1::bigint[])" \
    "  UNION ALL SELECT m.team, l.m, l.won, 0 FROM crmx.team_member m CROSS JOIN LATERAL (" \
    "  SELECT date_trunc('month', o.closed_at)::date AS m, sum(o.amount) AS won" \
    "  FROM crmx_src.opportunities o WHERE o.owner_id = m.owner_id AND o.outcome = 'won'" \
    "  AND o.closed_at >= (SELECT min(r.m) FROM r WHERE r.run_id IS NOT NULL)" \
    "  AND o.closed_at < (SELECT next FROM e) GROUP BY 1) l" \
    "  WHERE m.run_id = " RUN " AND m.shown AND m.owner_id = ANY($2::bigint[])" \
    "  AND m.owner_id <> ALL($1::bigint[])) t" \
    "  GROUP BY 1, 2)"
/* Q_ACCOUNTS_COUNT_AGG's region ($3) and city ($4) of the sums x. */
#define COUNT_F "($3::text IS NULL OR x.region = $3) AND ($4::text IS NULL OR x.city = $4)"

/* The pages from the latest run's sums (0027): usable when the run
 * stored them, in this session's time zone, the adapter has the change
 * feed that names changed owners, and no change since named no owner;
 * the owners changed since the run's snapshot within the viewer's scope
 * ($1): for the accounts' sums (owners_accounts), the open deals'
 * (owners_deals) or the closed deals' (owners_closed), as their marks say
 * (0037).  The *_AGG statements
 * read a changed owner's rows live only within the scope as well, so
 * those outside it change nothing there: counted, every rep's page read
 * every changed owner's closed deals of 12 months (192 owners after a
 * busy morning: 0.3-0.5 s a page).  usable_owners: usable for the lists
 * by owner (0032), the run stored its owners.  usable_ranked: usable for
 * the deals by priority (0055), today is the run's day or later.
 * usable_whole: usable for an executive's page of teams from whole rows
 * (0056), the run stored them and today is in the month of its day.
 * deals_marked: a deal is marked changed (0038): not a quiet day for the
 * pipeline's sums (Q_FUNNEL_QUIET).
 * run_id: the run the request reads (RUN).  SCOPE: the viewer's owners,
 * an array (NULL: everyone).  x is kept a subquery (OFFSET 0): flattened,
 * its usable was a subplan for each of the four columns that read it. */
#define PANEL_AGG_SQL(scope) \
    "SELECT x.usable, x.usable AND x.account_owners AS usable_owners," \
    " x.usable AND x.panel_day <= current_date AS usable_ranked," \
    " x.usable AND x.team_whole AND date_trunc('month', x.panel_day)" \
    "  = date_trunc('month', current_date) AS usable_whole," \
    " coalesce(c.accounts_o, '{}')::text AS owners_accounts," \
    " coalesce(c.deals_o, '{}')::text AS owners_deals," \
    " coalesce(c.closed_o, '{}')::text AS owners_closed, x.run_id," \
    " EXISTS (SELECT 1 FROM crmx.changed_deal) AS deals_marked FROM (" \
    " SELECT r.panel_snapshot IS NOT NULL AND r.panel_timezone = current_setting('TimeZone')" \
    " AND to_regprocedure('crmx_src.change_feed()') IS NOT NULL" \
    " AND NOT EXISTS (SELECT 1 FROM crmx.changed_owner c WHERE c.owner_id IS NULL" \
    "  AND NOT pg_visible_in_snapshot(c.xid, r.panel_snapshot)) AS usable, r.account_owners," \
    " r.panel_snapshot, r.panel_day, r.team_whole, r.run_id" \
    " FROM crmx.latest_run l JOIN crmx.run r ON r.run_id = l.run_id OFFSET 0) x" \
    " CROSS JOIN LATERAL (SELECT" \
    "  array_agg(DISTINCT c.owner_id) FILTER (WHERE c.sums IN ('all', 'accounts')) AS accounts_o," \
    "  array_agg(DISTINCT c.owner_id) FILTER (WHERE c.sums IN ('all', 'deals', 'open')) AS deals_o," \
    "  array_agg(DISTINCT c.owner_id) FILTER (WHERE c.sums IN ('all', 'deals', 'closed')) AS closed_o" \
    "  FROM crmx.changed_owner c" \
    "  WHERE c.owner_id IS NOT NULL AND NOT pg_visible_in_snapshot(c.xid, x.panel_snapshot)" \
    "  AND (" scope " IS NULL OR c.owner_id = ANY(" scope "))) c"
/* PANEL_AGG_SQL's columns but the run's id, of its row G */
#define PANEL_AGG_COLS(g) \
    " " g ".usable, " g ".usable_owners, " g ".usable_ranked, " g ".usable_whole," \
    " " g ".owners_accounts, " g ".owners_deals, " g ".owners_closed, " g ".deals_marked"

/* The viewer's row (Q_VIEWER): the owners the viewer may see, NULL (all)
 * only for executives and admins; a manager without a team sees only the
 * own rows (OWNERS: the array's cast and name).  run_id: the latest run's
 * (RUN), read here, where a request with the cache off begins, rather
 * than in a round trip of its own (Q_LATEST_RUN). */
#define VIEWER_ROW(owners) \
    "SELECT u.name, coalesce(p.lang, '') AS lang, u.role," \
    " (SELECT l.run_id FROM crmx.latest_run l) AS run_id," \
    " CASE WHEN u.role IN ('exec', 'admin') THEN NULL" \
    "  WHEN u.role = 'manager' AND u.team IS NOT NULL THEN" \
    "   (SELECT array_agg(t.user_id ORDER BY t.user_id) FROM crmx_src.users t" \
    "     WHERE t.team = u.team OR t.user_id = u.user_id)" \
    "  ELSE ARRAY[u.user_id] END" owners \
    " FROM crmx_src.users u LEFT JOIN crmx.user_pref p ON p.login = u.login" \
    " WHERE u.login = $1"

/* Q_TEAM_LIVE's owners, as an array (CAST: of the array, ALIAS its
 * name), with the changed deals as the run stored them (x, RUN_CHANGED:
 * from and where, ending in AND) and as they are now (o, NOW_CHANGED). */
#define TEAM_LIVE_OWNERS(cast, alias, run_changed, now_changed) \
    "SELECT coalesce(array_agg(DISTINCT v.id ORDER BY v.id), '{}')" cast " AS " alias " FROM (" \
    " SELECT unnest($1::bigint[]) AS id UNION ALL SELECT unnest($2::bigint[])" \
    " UNION ALL SELECT x.owner_id FROM " run_changed \
    "  NOT EXISTS (SELECT 1 FROM crmx.team_member m WHERE m.run_id = " RUN \
    "  AND m.owner_id = x.owner_id AND m.role = 'rep')" \
    " UNION ALL SELECT o.owner_id FROM" now_changed \
    "  WHERE NOT EXISTS (SELECT 1 FROM crmx_src.users u WHERE u.user_id = o.owner_id" \
    "  AND u.role = 'rep')" \
    " UNION ALL SELECT coalesce(u.user_id, m.owner_id) FROM crmx_src.users u" \
    "  FULL JOIN (SELECT m.owner_id, m.team, m.role FROM crmx.team_member m" \
    "  WHERE m.run_id = " RUN ") m ON m.owner_id = u.user_id" \
    "  WHERE to_regprocedure('crmx_src.users_watched()') IS NULL" \
    "  AND (u.user_id IS NULL OR m.owner_id IS NULL OR m.team <> coalesce(u.team, '')" \
    "  OR m.role IS DISTINCT FROM u.role)) v WHERE v.id IS NOT NULL AND " TEAM_ROWS_STORED \
    " HAVING " TEAM_ROWS_STORED
/* Q_TEAM_WHOLE's live counts by team (its t's last rows, and all of
 * Q_TEAM_QUIET's): won this quarter, stage begun within the stall days,
 * reviewed in 14 days, of the shown members not read live (sm).  Named
 * columns for Q_TEAM_QUIET, where they come first. */
#define TEAM_LIVE_COUNTS \
    " SELECT sm.team, 0 AS reps, 0 AS metrics_n, 0 AS revenue, 0 AS activity_minutes," \
    "  0 AS won, 0 AS lost, 0 AS cov_open, 0 AS covered, 0 AS precise, 0 AS open_deals," \
    "  0 AS dated, 0 AS open_amount, 0 AS weighted, 0 AS forecast_month," \
    "  0 AS forecast_quarter, NULL::numeric AS learned, 0 AS learned_n," \
    "  o.amount AS won_quarter, 0 AS new_n, 0 AS reviewed_n" TEAM_WON_QUARTER \
    "  UNION ALL SELECT sm.team, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 1, 0" \
    TEAM_STAGE_NEW \
    "  UNION ALL SELECT sm.team, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 1" \
    TEAM_REVIEWED
/* Q_TEAM_WHOLE's and Q_TEAM_QUIET's changes summed by team (d, of t) */
#define TEAM_WHOLE_D \
    " d AS (SELECT t.team, sum(t.reps) AS reps, sum(t.metrics_n) AS metrics_n," \
    "  sum(t.revenue) AS revenue, sum(t.activity_minutes) AS activity_minutes," \
    "  sum(t.won) AS won, sum(t.lost) AS lost, sum(t.cov_open) AS cov_open," \
    "  sum(t.covered) AS covered, sum(t.precise) AS precise, sum(t.open_deals) AS open_deals," \
    "  sum(t.dated) AS dated, sum(t.open_amount) AS open_amount," \
    "  coalesce(sum(t.weighted), 0) AS weighted, coalesce(sum(t.forecast_month), 0) AS fc_month," \
    "  coalesce(sum(t.forecast_quarter), 0) AS fc_quarter, coalesce(sum(t.learned), 0) AS learned," \
    "  sum(t.learned_n) AS learned_n, sum(t.won_quarter) AS won_quarter, sum(t.new_n) AS new_n," \
    "  sum(t.reviewed_n) AS reviewed_n FROM t GROUP BY t.team)"
/* A stored figure B of a whole row plus its change D */
#define WITH_D(b, d) b " + coalesce(" d ", 0)"
/* The months of the forecast accuracy as the runs give them now (of
 * ACC_MONTHS' r), as text, cast once in the subquery (as a cast of its
 * array the cast ran on every row of the page of teams) */
#define ACC_MONTHS_TEXT \
    "(SELECT coalesce(array_agg(r.month ORDER BY r.m), '{}')::text FROM r WHERE r.run_id IS NOT NULL)"
/* The end of a team's row (b, of crmx.team_base) for TEAM_WHOLE_ROWS and
 * TEAM_QUIET_ROWS: whether the months it stored are the runs' now
 * (acc_same: its months' text compared with the runs', 0062; as arrays
 * 0.09 ms of a server process for 167 rows), and those months, the same
 * text on every row (as each row's array the page took 0.1 ms more); the
 * months' sums as the run wrote their text (0059: written with the arrays,
 * NULL only where they are, team.sh); the run's note and day and the
 * owners read live (LIVE, as text), the same on every row; the rows whose
 * REPS is above 0. */
#define TEAM_ROWS_REST(live, reps) \
    " coalesce(b.acc_month_text = " ACC_MONTHS_TEXT ", false) AS acc_same," \
    " " ACC_MONTHS_TEXT " AS acc_months," \
    " b.acc_forecast_text AS acc_forecast, b.acc_won_text AS acc_won," \
    " (SELECT b.reason FROM crmx.forecast_backtest b" \
    "  WHERE b.run_id = " RUN " AND NOT b.uses_model) AS keeps_weights," \
    " (SELECT r.as_of::text FROM crmx.run r WHERE r.run_id = " RUN ") AS as_of," \
    " " live " AS live" \
    " FROM crmx.team_base b LEFT JOIN d ON d.team = b.team" \
    " WHERE b.run_id = " RUN " AND " reps " > 0"
/* ... and their rows: each team's stored row plus its changes d, the
 * owners read live LIVE */
#define TEAM_WHOLE_ROWS(live) \
    " SELECT b.team, " WITH_D("b.reps", "d.reps") " AS reps," \
    " " WITH_D("b.open_deals", "d.open_deals") " AS open_deals," \
    " " WITH_D("b.open_amount", "d.open_amount") " AS open_amount," \
    " " WITH_D("b.weighted", "d.weighted") " AS weighted," \
    " " WITH_D("b.forecast_month", "d.fc_month") " AS forecast_month," \
    " " WITH_D("b.forecast_quarter", "d.fc_quarter") " AS forecast_quarter," \
    " coalesce(d.won_quarter, 0) AS won_quarter," \
    " " WITH_D("b.dated", "d.dated") " - coalesce(d.new_n, 0) AS stalled," \
    " " WITH_D("b.open_deals", "d.open_deals") " - coalesce(d.reviewed_n, 0) AS unreviewed," \
    " CASE WHEN " WITH_D("b.metrics_n", "d.metrics_n") " > 0" \
    " THEN " WITH_D("b.activity_minutes", "d.activity_minutes") " END AS activity_minutes," \
    " CASE WHEN " WITH_D("b.metrics_n", "d.metrics_n") " > 0" \
    " THEN " WITH_D("b.revenue", "d.revenue") " END AS won_12m," \
    " " WITH_D("b.precise", "d.precise") " AS precise," \
    " CASE WHEN " WITH_D("b.learned_n", "d.learned_n") " > 0" \
    " THEN " WITH_D("coalesce(b.learned, 0)", "d.learned") " END AS learned," \
    " " WITH_D("b.won", "d.won") " AS won_n, " WITH_D("b.lost", "d.lost") " AS lost_n," \
    " " WITH_D("b.cov_open", "d.cov_open") " AS cov_open," \
    " " WITH_D("b.covered", "d.covered") " AS covered," \
    TEAM_ROWS_REST(live, WITH_D("b.reps", "d.reps"))
/* ... and on a quiet day (d has only the live counts) the stored rows as
 * they are: their figures as one text (0063: shown_text; as fifteen
 * columns PostgreSQL wrote out 2,500 values for 167 teams, 0.2 ms of the
 * 0.62 the statement took at 1M, team.c read_shown), and the counts with
 * the live ones as TEAM_WHOLE_ROWS gives them */
#define TEAM_QUIET_ROWS \
    " SELECT b.team, b.shown_text AS shown, coalesce(d.won_quarter, 0) AS won_quarter," \
    " b.dated - coalesce(d.new_n, 0) AS stalled," \
    " b.open_deals - coalesce(d.reviewed_n, 0) AS unreviewed," \
    TEAM_ROWS_REST("'{}'::text", "b.reps")
/* Q_TEAM_WHOLE's owners read live, from its lv (cast: an expression, not
 * a subquery that ANY or ALL would compare row by row) */
#define TEAM_LV "(SELECT l.ids FROM lv l)::bigint[]"

static const char *const sql[Q__MAX] = {
[Q_VIEWER] = VIEWER_ROW("::text AS owners"),
/* Q_VIEWER for a page that reads the run's sums, with Q_PANEL_AGG's
 * columns for its owners (NULL: no run yet) in the same statement: one
 * round trip and one statement less on such a page, and the run's id and
 * its state read in one snapshot.  v is kept a subquery (OFFSET 0), so
 * that its owners are found once. */
[Q_VIEWER_AGG] =
    "SELECT v.name, v.lang, v.role, v.run_id, v.owners::text AS owners, g.run_id AS agg_run," PANEL_AGG_COLS("g")
    " FROM (" VIEWER_ROW(" AS owners") " OFFSET 0) v"
    " LEFT JOIN LATERAL (" PANEL_AGG_SQL("v.owners") ") g ON true",
[Q_ACCOUNTS_REVENUE] = ACCOUNTS_TOPN("m.revenue_window"),
[Q_ACCOUNTS_LTV] = ACCOUNTS_TOPN("m.ltv_pred"),
[Q_ACCOUNTS_NAME] = ACCOUNTS_SQL("a.name, a.account_id"),
[Q_ACCOUNTS_ACTIVITY] = ACCOUNTS_TOPN("m.last_activity"),
[Q_ACCOUNTS_NAME_ZH] = ACCOUNTS_SQL("a.name COLLATE \"zh-x-icu\", a.account_id"),
/* How many accounts the list has, up to ACCOUNTS_COUNT_CAP + 1 ($9). */
[Q_ACCOUNTS_COUNT] =
    "SELECT count(*) AS total FROM (SELECT 1 FROM crmx_src.accounts a"
    " WHERE " SCOPE_SQL("a.owner_id") " AND ($2::bigint IS NULL OR a.owner_id = $2::bigint)"
    " AND ($3::text IS NULL OR a.region = $3) AND ($4::text IS NULL OR a.city = $4)"
    /* the run's figures only when filtered by them: no join of every row */
    " AND (($5::text IS NULL AND $6::text IS NULL AND $7::text IS NULL) OR EXISTS (SELECT 1"
    "  FROM crmx.account_metrics m WHERE m.run_id = " RUN " AND m.account_id = a.account_id"
    RUN_FILTERS "))" ACCOUNTS_SEARCH_SCOPED("$8")
    " LIMIT $9::bigint) x",
/* Q_ACCOUNTS_COUNT from the run's sums by region and city (0027), when
 * the list is filtered by no more than owner ($2), region ($3) and city
 * ($4): the stored counts of everyone less the changed owners' ($1), or
 * of the scope's ($10) or the owner's unchanged owners, plus the changed
 * owners' accounts as they are now; capped as the count ($9).  Class,
 * segment, grade or search ($5..$8) are never set here (accounts.c).
 * The scope's or the owner's rows (none when both are NULL: ANY of
 * {NULL}) are found by the index on (run, whole, owner): as "$10 IS
 * NULL OR owner = ANY($10)" the one plan read all of
 * the run's sums (3,219 rows at 1M: 0.7 ms of a rep's 3 ms page).  The
 * changed owners' accounts are counted only up to what the stored counts
 * (u, never negative) leave below the cap: an executive's list counted
 * all 147,000 accounts of 147 changed owners for a total shown as
 * "10,000+" (69 ms a page). */
[Q_ACCOUNTS_COUNT_AGG] =
    "WITH u AS (SELECT coalesce(sum(t.n), 0) AS n FROM ("
    "  SELECT x.accounts AS n FROM crmx.region_agg x WHERE x.run_id = " RUN " AND x.whole"
    "  AND $10::bigint[] IS NULL AND $2::bigint IS NULL AND " COUNT_F
    "  UNION ALL SELECT -x.accounts FROM crmx.region_agg x WHERE x.run_id = " RUN " AND NOT x.whole"
    "  AND x.owner_id = ANY($1::bigint[]) AND $10::bigint[] IS NULL AND $2::bigint IS NULL"
    "  AND " COUNT_F
    "  UNION ALL SELECT x.accounts FROM crmx.region_agg x WHERE x.run_id = " RUN " AND NOT x.whole"
    "  AND x.owner_id = ANY(coalesce($10::bigint[], ARRAY[$2::bigint]))"
    "  AND x.owner_id <> ALL($1::bigint[]) AND ($2::bigint IS NULL OR x.owner_id = $2::bigint)"
    "  AND " COUNT_F ") t),"
    " v AS (SELECT count(*) AS n FROM (SELECT 1 FROM crmx_src.accounts a"
    "  WHERE a.owner_id = ANY($1::bigint[])"
    "  AND " IN_SCOPE("a.owner_id", "$10") " AND ($2::bigint IS NULL OR a.owner_id = $2::bigint)"
    "  AND ($3::text IS NULL OR a.region = $3) AND ($4::text IS NULL OR a.city = $4)"
    "  LIMIT (SELECT greatest($9::bigint - u.n, 0) FROM u)) x)"
    " SELECT least(u.n + v.n, $9::bigint) AS total FROM u, v"
    " WHERE $5::text IS NULL AND $6::text IS NULL AND $7::text IS NULL AND $8::text IS NULL",
/* The owners of the list's owner filter: the viewer's, at most 101 (more
 * than 100: the filter is a field for the id instead, and which 101 does
 * not matter, so they are taken before the sort: an executive's 1,000
 * users were sorted by name for each page, 0.46 ms). */
[Q_LIST_OWNERS] =
    "SELECT x.user_id, x.name FROM (SELECT u.user_id, u.name FROM crmx_src.users u"
    " WHERE " SCOPE_SQL("u.user_id") " AND u.role IN ('rep', 'manager') LIMIT 101) x"
    " ORDER BY x.name, x.user_id",
/* Per region and city: accounts, precise prospects, A-class accounts,
 * revenue and open deals, and the five largest precise prospects as a
 * JSON array of [id, name] (filters $2 class, $3 segment, $4 region). */
[Q_REGIONS] =
    "WITH s AS MATERIALIZED (" REGION_ROWS " WHERE " SCOPE_SQL("a.owner_id") REGION_FILTERS "),"
    " g AS (SELECT region, city, count(*) AS n, count(*) FILTER (WHERE precise) AS np,"
    "  count(*) FILTER (WHERE abc_class = 'A') AS na, coalesce(sum(rev), 0) AS rev,"
    "  coalesce(sum(open_deals), 0) AS deals FROM s GROUP BY region, city),"
    " p AS (SELECT region, city, account_id, name, rev FROM s WHERE precise)," REGION_OUT,
[Q_ACCOUNT] =
    "SELECT a.account_id, a.name, a.region, a.city, a.industry, u.name AS owner,"
    " m.abc_class, m.revenue_window, m.hist_ltv, m.ltv_pred, m.p_alive, m.segment,"
    " " LIVE_GRADE("q") " AS qual_grade, m.open_deals,"
    " to_char(m.last_activity, 'YYYY-MM-DD') AS last_activity, r.as_of::text AS as_of,"
    " to_char(r.finished_at, 'YYYY-MM-DD HH24:MI') AS computed_at,"
    " m.exp_purchases, m.value_basis, q.has_need, q.can_pay, q.has_authority, q.burning_issue,"
    " q.updated_by,"
    " to_char(q.updated_at, 'YYYY-MM-DD HH24:MI') AS updated_at"
    " FROM crmx_src.accounts a LEFT JOIN crmx_src.users u ON u.user_id = a.owner_id"
    " LEFT JOIN " RUN_METRICS " LEFT JOIN crmx.run r ON r.run_id = m.run_id"
    " LEFT JOIN crmx.qualification q ON q.account_id = a.account_id"
    " WHERE a.account_id = $2::bigint AND " SCOPE_SQL("a.owner_id"),
[Q_CONTACTS] =
    "SELECT k.contact_id, k.name, k.title, coalesce(k.purchase_role, '') AS purchase_role,"
    " coalesce(r.reached, false) AS reached, r.reached_on::text AS reached_on, r.reached_by"
    " FROM crmx_src.contacts k LEFT JOIN crmx.contact_role r ON r.contact_id = k.contact_id"
    " WHERE k.account_id = $2::bigint AND " ACCOUNT_VISIBLE
    " ORDER BY coalesce(k.purchase_role = 'decision_maker', false) DESC, k.name",
/* Changes to the account's contacts' roles and the key person reached. */
[Q_CONTACT_HISTORY] =
    "SELECT k.name, h.purchase_role, h.reached, h.reached_on::text AS reached_on, h.reached_by,"
    " h.updated_by, to_char(h.updated_at, 'YYYY-MM-DD HH24:MI') AS updated_at"
    " FROM crmx.contact_role_history h"
    " LEFT JOIN crmx_src.contacts k ON k.contact_id = h.contact_id"
    " WHERE h.account_id = $2::bigint AND " ACCOUNT_VISIBLE
    " ORDER BY h.updated_at DESC, h.id DESC LIMIT 20",
/* $3 contact, $4 role (NULL: the one set before, else the CRM's), $5 reached, $6 on (default
 * today), $7 by (default the login), $8 who.  Only a contact of account
 * $2, and that account the viewer's: else no row back and nothing stored. */
[Q_SAVE_CONTACT] =
    "WITH ok AS (SELECT k.contact_id, k.account_id FROM crmx_src.contacts k"
    "  JOIN crmx_src.accounts a ON a.account_id = k.account_id"
    "  WHERE k.contact_id = $3::bigint AND k.account_id = $2::bigint AND "
    SCOPE_SQL("a.owner_id") "),"
    " v AS (SELECT contact_id, account_id, coalesce($4::text, (SELECT r.purchase_role"
    "  FROM crmx.contact_role r WHERE r.contact_id = ok.contact_id)) AS purchase_role,"
    "  coalesce($5::boolean, false) AS reached,"
    "  CASE WHEN $5::boolean THEN coalesce($6::date, current_date) END AS reached_on,"
    "  CASE WHEN $5::boolean THEN coalesce($7::text, $8::text) END AS reached_by FROM ok),"
    " up AS (INSERT INTO crmx.contact_role (contact_id, purchase_role, reached, reached_on,"
    "  reached_by, updated_by, updated_at)"
    "  SELECT contact_id, purchase_role, reached, reached_on, reached_by, $8::text, now() FROM v"
    "  ON CONFLICT (contact_id) DO UPDATE SET purchase_role = excluded.purchase_role,"
    "  reached = excluded.reached, reached_on = excluded.reached_on,"
    "  reached_by = excluded.reached_by, updated_by = excluded.updated_by,"
    "  updated_at = excluded.updated_at RETURNING contact_id),"
    " h AS (INSERT INTO crmx.contact_role_history (contact_id, account_id, purchase_role,"
    "  reached, reached_on, reached_by, updated_by, updated_at)"
    "  SELECT contact_id, account_id, purchase_role, reached, reached_on, reached_by, $8::text,"
    "  now() FROM v RETURNING contact_id)"
    " SELECT contact_id FROM up",
[Q_ACCOUNT_DEALS] =
    "SELECT o.opportunity_id, o.name, o.stage, o.stage_rank, o.amount, o.probability,"
    " (current_date - o.stage_entered_at::date) AS days_in_stage"
    " FROM crmx_src.opportunities o"
    " WHERE o.account_id = $2::bigint AND o.outcome = 'open' AND " SCOPE_SQL("o.owner_id")
    " ORDER BY o.amount DESC NULLS LAST, o.opportunity_id",
/* The 24 months up to the latest run's as-of date (today without a run). */
[Q_ACCOUNT_MONTHS] =
    "WITH e AS (SELECT date_trunc('month', coalesce((SELECT as_of FROM crmx.latest_run),"
    "  current_date)) AS last)"
    " SELECT to_char(mo, 'YYYY-MM') AS month, coalesce(sum(v.amount), 0) AS revenue"
    " FROM e CROSS JOIN generate_series(e.last - interval '23 months', e.last,"
    "  interval '1 month') AS mo"
    " LEFT JOIN crmx_src.revenue v ON v.account_id = $2::bigint"
    "  AND v.booked_at >= mo AND v.booked_at < mo + interval '1 month'"
    " WHERE " ACCOUNT_VISIBLE
    " GROUP BY mo ORDER BY mo",
[Q_QUAL_HISTORY] =
    "SELECT h.has_need, h.can_pay, h.has_authority, h.burning_issue, h.updated_by,"
    " to_char(h.updated_at, 'YYYY-MM-DD HH24:MI') AS updated_at"
    " FROM crmx.qualification_history h"
    " WHERE h.account_id = $2::bigint AND " ACCOUNT_VISIBLE
    " ORDER BY h.updated_at DESC, h.id DESC LIMIT 20",
/* $3..$5 need, pay, authority (NULL: not known), $6 burning issue, $7 who.
 * Data-modifying CTEs run to completion even when unread: the record and
 * its history row are written together, or not at all (no row back: not
 * the viewer's account). */
[Q_SAVE_QUAL] =
    "WITH ok AS (SELECT a.account_id FROM crmx_src.accounts a"
    "  WHERE a.account_id = $2::bigint AND " SCOPE_SQL("a.owner_id") "),"
    " up AS (INSERT INTO crmx.qualification (account_id, has_need, can_pay, has_authority,"
    "  burning_issue, updated_by, updated_at)"
    "  SELECT account_id, $3::boolean, $4::boolean, $5::boolean, $6::text, $7::text, now() FROM ok"
    "  ON CONFLICT (account_id) DO UPDATE SET has_need = excluded.has_need,"
    "  can_pay = excluded.can_pay, has_authority = excluded.has_authority,"
    "  burning_issue = excluded.burning_issue, updated_by = excluded.updated_by,"
    "  updated_at = excluded.updated_at RETURNING account_id),"
    " h AS (INSERT INTO crmx.qualification_history (account_id, has_need, can_pay,"
    "  has_authority, burning_issue, updated_by, updated_at)"
    "  SELECT account_id, $3::boolean, $4::boolean, $5::boolean, $6::text, $7::text, now()"
    "  FROM ok RETURNING account_id)"
    " SELECT account_id FROM up",
/* The funnel as one row: how many deals are open (open_all, at any
 * rank: the total of the pipeline's list without a search), then per
 * layer k = 1..5 (columns openK, amountK, weightedK, reachedK) the open deals, their amount and weighted amount (live, one pass over
 * the viewer's open deals), and the deals created in the latest run's window
 * that reached the layer (history counts: a deal that went back still
 * reached the higher layer), summed over the viewer's owners from what
 * reportd stored, NULL before the first run; then (month, quarter) the
 * weighted forecast for this month and this quarter, overdue deals
 * counting in this month, and (as_of) the run's as-of date.  Weighted
 * amounts (expected values) are rounded to the cent, as stored amounts. */
#define LAYER(k) \
    " count(*) FILTER (WHERE stage_rank = " #k ") AS open" #k "," LAYER_SUMS(k)
#define LAYER_SUMS(k) \
    " coalesce(sum(amount) FILTER (WHERE stage_rank = " #k "), 0) AS amount" #k "," \
    " round(coalesce(sum(w) FILTER (WHERE stage_rank = " #k "), 0)::numeric, 2) AS weighted" #k ","
/* r: the run's reached and conversion bases summed over the owner
 * metrics m of FROM (" FROM ... m WHERE ..."), and the run's as-of date
 * (FUNNEL_SUMS: the one row of those sums). */
#define FUNNEL_RUN(from) " r AS (" FUNNEL_SUMS(from) ")"
#define FUNNEL_SUMS(from) \
    " SELECT ARRAY[sum(m.reached[1]), sum(m.reached[2]), sum(m.reached[3])," \
    "  sum(m.reached[4]), sum(m.reached[5])] AS reached," \
    "  CASE WHEN count(*) > 0 THEN " RUN_AS_OF " END AS as_of," \
    "  ARRAY[sum(m.conv_base[1]), sum(m.conv_base[2]), sum(m.conv_base[3])," \
    "  sum(m.conv_base[4]), NULL] AS conv_base" \
    from
#define RUN_AS_OF "(SELECT x.as_of FROM crmx.run x WHERE x.run_id = " RUN ")"
/* this month's and this quarter's forecast, DUE the deal's due date or
 * any day of its month */
#define FUNNEL_FORECAST(due) \
    " round(coalesce(sum(w) FILTER (WHERE" \
    "  " due " < " MONTH_END "), 0)::numeric, 2) AS month," \
    " round(coalesce(sum(w) FILTER (WHERE" \
    "  " due " < " QUARTER_END "), 0)::numeric, 2) AS quarter"
/* The funnel's row: the sums over the open deals d (SUMS), beside the
 * run's figures of each layer, r's (at most one row) and the stages'
 * median days, each read once and joined: as a subquery per column (ten
 * of r, five of the medians) the plan had fifteen to set up on every
 * request, a third of the statement's cost. */
#define FUNNEL_OUT(sums) \
    " SELECT s.*," LAYER_RUN(1) LAYER_RUN(2) LAYER_RUN(3) LAYER_RUN(4) LAYER_RUN(5) \
    " r.as_of::text AS as_of FROM (SELECT" sums " FROM d) s LEFT JOIN r ON true" \
    " LEFT JOIN (SELECT" LAYER_MEDIAN(1) "," LAYER_MEDIAN(2) "," LAYER_MEDIAN(3) "," \
    LAYER_MEDIAN(4) "," LAYER_MEDIAN(5) " FROM crmx.funnel_metrics f" \
    "  WHERE f.run_id = " RUN ") f ON true"
#define LAYER_RUN(k) \
    " r.reached[" #k "] AS reached" #k ", r.conv_base[" #k "] AS base" #k "," \
    " f.m" #k " AS median_days" #k ","
#define LAYER_MEDIAN(k) \
    " max(f.median_days_in_stage) FILTER (WHERE f.stage_rank = " #k ") AS m" #k
[Q_FUNNEL] =
    "WITH d AS MATERIALIZED (SELECT o.stage_rank, o.amount,"
    "  o.amount * o.probability AS w, coalesce(o.expected_close, current_date) AS due"
    "  FROM crmx_src.opportunities o WHERE " SCOPE_SQL("o.owner_id") " AND o.outcome = 'open'),"
    FUNNEL_RUN(" FROM crmx.owner_metrics m WHERE m.run_id = " RUN " AND " SCOPE_SQL("m.owner_id"))
    FUNNEL_OUT(" count(*) AS open_all," LAYER(1) LAYER(2) LAYER(3) LAYER(4) LAYER(5)
               FUNNEL_FORECAST("due")),
/* The open deals, a page of them ($4 rows from $5): $2 an ILIKE pattern
 * over the account's name or city (NULL: all), $3 the sort (priority,
 * amount, days, account, name; each then by priority and id, so that the
 * pages together hold every deal once), and total, how many match.
 * Priority: weighted amount, discounted by months in the stage (in
 * float8: numeric arithmetic on every open deal cost more than the rest
 * of the statement); only the page's rows get their account's name (a
 * join hashed every account: 4 of 8 s for an executive at 1M accounts).
 * No owner's name: no writer shows it (its lookups were 0.1 ms of a
 * page). */
/* The latest run's learned probability of one deal, by key: the run's
 * partition is found once and probed by (run_id, opportunity_id), so
 * only the page's rows are read (0028). */
#define LEARNED_OF(id) \
    " (SELECT f.probability FROM crmx.deal_forecast f" \
    "  WHERE f.run_id = " RUN \
    "  AND f.opportunity_id = " id ")"
/* Whether the latest run's forecast keeps the stage weights (its backtest
 * says the model does not beat them): the reason, else NULL. */
#define KEEPS_STAGE_WEIGHTS \
    " (SELECT b.reason FROM crmx.forecast_backtest b" \
    "  WHERE b.run_id = " RUN " AND NOT b.uses_model)"
/* A page of open deals from T (rows of PDEAL_ROW), TOTAL the count column,
 * with each deal's account name and the latest run's learned probability.
 * Read by key, each took an index descent per row: about 5 us at 1M (the
 * keys are scattered), 80% of a rep's statement.  For a set of owners
 * (PDEAL_BY_OWNER) the learned probabilities are read in one range, the
 * run's open deals by owner (0047; an owner's on a page or two since
 * 0052), and for a single owner (a rep) the names too, from the
 * adapter's owned_names (native: the accounts by owner and name, 0032;
 * none elsewhere); a row found in neither (a deal opened, moved or
 * reassigned since the run, an account of another owner) is read by its
 * key, so the values are the same.  A manager's names are read by key:
 * that range (about 7,000 accounts for a page of 100) took longer than
 * the look-ups (ONE_OWNER, tested when the statement runs); the open
 * deals' range (about 650) takes less: 0.95 against 1.16 ms.  Each range
 * is a subquery kept whole (OFFSET 0) and hashed: flattened, the plan
 * made once for every scope looked the accounts up by key again. */
#define ACCOUNT_NAME_OF(id) \
    "(SELECT a.name FROM crmx_src.accounts a WHERE a.account_id = " id ")"
#define PDEAL_PAGE(total) \
    "SELECT t.opportunity_id, t.name, t.account_id," \
    OWN_ONLY(" CASE WHEN an.account_id IS NULL THEN " ACCOUNT_NAME_OF("t.account_id") \
             " ELSE an.name END AS account,") \
    ALL_ONLY(" " ACCOUNT_NAME_OF("t.account_id") " AS account,") \
    " t.stage, t.amount, t.probability, t.days, " total " AS total," \
    OWN_ONLY(" CASE WHEN od.opportunity_id IS NULL THEN " LEARNED_OF("t.opportunity_id") \
             " ELSE od.probability END AS learned,") \
    ALL_ONLY(LEARNED_OF("t.opportunity_id") " AS learned,") \
    " " KEEPS_STAGE_WEIGHTS " AS keeps_weights"
#define ONE_OWNER "cardinality($1::bigint[]) = 1"
#define PDEAL_BY_OWNER \
    OWN_ONLY(" LEFT JOIN (SELECT n.account_id, n.name FROM crmx_src.owned_names($1::bigint[]) n" \
             "  WHERE " ONE_OWNER " OFFSET 0) an ON an.account_id = t.account_id" \
             " LEFT JOIN (SELECT x.opportunity_id, x.probability FROM crmx.open_deal x" \
             "  WHERE x.run_id = " RUN " AND x.owner_id = ANY($1::bigint[])" \
             "  OFFSET 0) od ON od.opportunity_id = t.opportunity_id")
/* An open deal's priority: weighted amount, discounted by months in the
 * stage; never above its weighted amount (nor its amount: probabilities
 * are at most 1) when that is positive. */
#define PDEAL_PRIO \
    " coalesce(o.amount::float8 * o.probability, 0)" \
    " / (1 + greatest(current_date - o.stage_entered_at::date, 0) / 30.0::float8)"
#define PDEAL_ROW \
    " SELECT o.opportunity_id, o.name, o.account_id," \
    "  o.stage, o.amount, o.probability, current_date - o.stage_entered_at::date AS days," \
    PDEAL_PRIO " AS prio"
/* The pipeline's search over the deals' accounts (P), of a row a.  For a
 * set of owners, each open deal's account read by its key and tested with
 * the ILIKE alone (a rep has about a hundred open deals at 1M; an account
 * need not be its deal's owner's, so not search_owned).  With the grams
 * too, the planner thought the matches few and hashed them all first:
 * 33,377 accounts for "harbor", 140 ms for a rep's page.  Over everyone,
 * the grams give the candidates. */
#define DEALS_SEARCH(p) OWN_ONLY(ACCOUNTS_SEARCH_ROW(p)) ALL_ONLY(ACCOUNTS_SEARCH(p))
/* the viewer's open deals; $2 the search (NULL: all) */
#define PDEAL_FROM \
    "  FROM crmx_src.opportunities o" \
    "  WHERE " SCOPE_SQL("o.owner_id") " AND o.outcome = 'open' AND ($2::text IS NULL OR" \
    "  EXISTS (SELECT 1 FROM crmx_src.accounts a WHERE a.account_id = o.account_id" \
    DEALS_SEARCH("$2") "))"
/* the account's name only to sort by it */
#define PDEAL_ACCOUNT \
    ", CASE WHEN $3::text = 'account' THEN (SELECT a.name FROM crmx_src.accounts a" \
    "  WHERE a.account_id = o.account_id) END AS account"
#define PDEAL_ORDER \
    " ORDER BY CASE WHEN $3::text = 'amount' THEN t.amount END DESC NULLS LAST," \
    " CASE WHEN $3::text = 'days' THEN t.days END DESC NULLS LAST," \
    " CASE WHEN $3::text = 'account' THEN t.account END," \
    " CASE WHEN $3::text = 'name' THEN t.name END," \
    " t.prio DESC, t.opportunity_id"
/* The page's rows of ROWS in ORDER, LIMIT the page: its names and learned
 * probabilities are looked up for those rows only (in one query level
 * they were looked up for every row an OFFSET skips: 98,000 of each past
 * an executive's last page, 8 s). */
#define PDEAL_PAGED(total, rows, order, limit) \
    PDEAL_PAGE(total) " FROM (SELECT * FROM (" rows ") t" order limit ") t" PDEAL_BY_OWNER order
#define PDEAL_LIMIT " LIMIT $4::bigint OFFSET $5::bigint"
[Q_PIPELINE_DEALS] =
    PDEAL_PAGED("t.total", PDEAL_ROW PDEAL_ACCOUNT ", count(*) OVER () AS total" PDEAL_FROM,
                PDEAL_ORDER, PDEAL_LIMIT),
/* Q_PIPELINE_DEALS with the total given ($6: the funnel's count of the
 * open deals, when there is no search): counting over the ranked rows
 * kept all of them (98,500 for an executive at 1M) in a tuplestore. */
[Q_PIPELINE_PAGE] =
    PDEAL_PAGED("$6::bigint", PDEAL_ROW PDEAL_ACCOUNT PDEAL_FROM, PDEAL_ORDER, PDEAL_LIMIT),
/* Each open stage's $2 + $3 largest open deals (COLS of each), and the
 * ($2 + $3)-th largest of COL among them: the page's last row ($2 rows
 * from $3) has at least that COL, as the walked deals are open deals. */
#define PDEAL_WALK(cols) \
    " (SELECT DISTINCT s.stage FROM crmx_src.stages s WHERE NOT s.is_won AND NOT s.is_lost) s" \
    " CROSS JOIN LATERAL (SELECT " cols " FROM crmx_src.opportunities o" \
    "  WHERE o.stage = s.stage AND " SCOPE_SQL("o.owner_id") " AND o.outcome = 'open'" \
    "  ORDER BY o.amount DESC LIMIT $2::bigint + $3::bigint) x"
#define PDEAL_KTH(col) " ORDER BY " col " DESC OFFSET $2::bigint + $3::bigint - 1 LIMIT 1"
#define PDEAL_TOP_LIMIT " LIMIT $2::bigint OFFSET $3::bigint"
/* A page ($2 rows from $3, $4 the total) of the scope's open deals that
 * meet COND ("" or " AND ..."), in ORDER. */
#define PDEAL_OPEN_PAGE(cond, order) \
    PDEAL_PAGED("$4::bigint", PDEAL_ROW " FROM crmx_src.opportunities o" \
    "  WHERE " SCOPE_SQL("o.owner_id") " AND o.outcome = 'open'" cond, order, PDEAL_TOP_LIMIT)
/* Q_PIPELINE_PAGE by priority without a search ($2 rows from $3, $4 the
 * total), without ranking every open deal: k = $2 + $3 rows are wanted.
 * w: each open stage's k largest deals (an index on (stage, amount) in
 * the native adapter, 0033); p: the k-th priority among them, so the k first deals all have a
 * priority of at least p.  A deal's priority is its weighted amount over
 * 1 + (days in stage) / 30, and no deal has been fewer days in its stage
 * than the one that entered it last (e), so those k have an amount of at
 * least p * (1 + (days since e) / 30): only the deals above that bound
 * (b, less a margin for rounding) are read, and of those only the ones
 * with a priority of at least p are ranked; all of them when fewer than
 * k deals are open (and read when p is not positive).  Every adapter's
 * amounts are set (NOT NULL or coalesced) and probabilities within 0..1;
 * a stage listed twice would count its deals twice in w, hence DISTINCT. */
[Q_PIPELINE_TOP] =
    "WITH w AS (SELECT x.prio FROM" PDEAL_WALK(PDEAL_PRIO " AS prio") "),"
    " p AS (SELECT w.prio FROM w" PDEAL_KTH("w.prio") "),"
    " e AS (SELECT o.stage_entered_at FROM crmx_src.opportunities o"
    "  WHERE " SCOPE_SQL("o.owner_id") " AND o.outcome = 'open'"
    "  ORDER BY o.stage_entered_at DESC NULLS FIRST LIMIT 1),"
    " b AS (SELECT (p.prio * (1 + greatest(current_date - (SELECT e.stage_entered_at FROM e)::date, 0)"
    "  / 30.0::float8) * (1 - 1e-9))::numeric AS amount FROM p WHERE p.prio > 0)"
    PDEAL_OPEN_PAGE("  AND o.amount >= coalesce((SELECT b.amount FROM b), '-Infinity')"
    "  AND" PDEAL_PRIO " >= coalesce((SELECT p.prio FROM p), '-Infinity')",
    " ORDER BY t.prio DESC, t.opportunity_id"),
/* The same by amount: only the deals with at least the ($2 + $3)-th
 * largest amount walked are ranked. */
[Q_PIPELINE_TOP_AMOUNT] =
    "WITH w AS (SELECT x.amount FROM" PDEAL_WALK("o.amount") "),"
    " a AS (SELECT w.amount FROM w" PDEAL_KTH("w.amount") ")"
    PDEAL_OPEN_PAGE("  AND o.amount >= coalesce((SELECT a.amount FROM a), '-Infinity')",
    " ORDER BY t.amount DESC NULLS LAST, t.prio DESC, t.opportunity_id"),
/* Q_PIPELINE_PAGE by priority (the page's default), with its parameters
 * as Q_PIPELINE_TOP's: ordered by that key alone.  Q_PIPELINE_PAGE's
 * order, a key for each sort chosen by $3, computed and compared four
 * null keys for every deal ranked: a quarter of a manager's statement
 * (654 open deals, 4.0 ms; 3.1 ms so). */
[Q_PIPELINE_PAGE_PRIO] = PDEAL_OPEN_PAGE("", " ORDER BY t.prio DESC, t.opportunity_id"),
/* Q_PIPELINE_TOP over everyone from the run's open deals (0055; $1 the
 * owners changed for the open deals' sums, $2 rows from $3, $4 the
 * total): a stored row (x) is the deal as it is now unless the deal or
 * its owner is marked, and its priority now (RUN_PRIO) is at most the
 * one stored on the run's day (x.prio): a priority only falls as days
 * pass.  w: the k = $2 + $3 unmarked deals of highest stored priority;
 * q: the k-th of their priorities now, so the k best deals now all have a
 * priority of at least q, hence a stored one too (when q is positive: a
 * negative amount's priority rises towards 0).  Those stored rows, and
 * the marked deals and the owners' $1 as they are now (RUN_LIVE), are
 * ranked.  Chosen from the run's day on only (Q_PANEL_AGG's
 * usable_ranked): before it, a stored priority may be below today's.
 * An unmarked deal's row on the page is the stored one (its learned
 * probability, and its account's name unless the account is marked,
 * 0039); a marked one's is read as it is now.  The stored rows above the
 * floor are read from the table as the index by priority finds them:
 * read there by key for the page's rows only (a second index's walk for
 * each), the first page took 0.46 ms at 1M, 0.2 so; the deepest page
 * ([fcgi] pipeline_top_max, 2,000 rows) 2.0 ms where 1.5. */
#define RUN_PRIO \
    " coalesce(x.weighted, 0) / (1 + greatest(current_date - x.entered, 0) / 30.0::float8)"
#define RUN_UNMARKED \
    " x.run_id = " RUN " AND " NOT_OWNER1("x.owner_id") \
    " AND NOT x.opportunity_id = " CHANGED_DEALS
/* ... on a quiet day (no deal marked, $1 empty: kept as the rows' filter),
 * for the *_QUIET statements: every stored row */
#define RUN_QUIET " x.run_id = " RUN " AND " NOT_OWNER1("x.owner_id")
#define RUN_FLOOR "coalesce((SELECT q.p FROM q WHERE q.p > 0), '-Infinity')"
/* The stored rows at or above the floor, as a range with both ends: a
 * generic plan takes a lower bound alone to keep a third of the rows and,
 * with only the latest run's rows in the table (every row of its run_id),
 * read the whole table for them (12.6 ms a page at 1M, 182 pages a second
 * where the index range takes 0.4 ms); for a range it takes 0.5%. */
#define RUN_ABOVE_FLOOR " x.prio >= " RUN_FLOOR " AND x.prio <= 'Infinity'::float8"
/* A deal's columns of the page as it is now (o), its account's name to
 * be looked up. */
#define RUN_LIVE_COLS \
    " o.name, o.account_id, NULL, o.stage, o.amount, o.probability," \
    " current_date - o.stage_entered_at::date"
/* A stored row's columns of c (x, unmarked: the deal as it is now),
 * what the page shows of it read from x itself (the index by owner
 * carries them; by priority, its rows above the floor are read from the
 * table). */
#define RUN_STORED_COLS \
    " x.opportunity_id, true AS stored, x.probability AS learned," RUN_PRIO " AS prio," \
    " x.name, x.account_id, x.account, x.stage, x.amount," \
    " x.shown_probability AS probability, current_date - x.entered AS days"
/* The deals of c read as they are now, within COND: the marked ones (each
 * looked up once: as one OR with the owners' deals, a generic plan ANDed
 * the marks' bitmap with each open stage's whole index, 12 ms with 150
 * marked; as an array or a join, it looked the 150 up once per open
 * stage, 1.7 ms), then the owners $1's. */
#define RUN_LIVE(cond) \
    "  UNION ALL SELECT o.opportunity_id, false, NULL," PDEAL_PRIO "," RUN_LIVE_COLS \
    "  FROM" CHANGED_DEALS_NOW \
    "  WHERE " NOT_OWNER1("o.owner_id") " AND o.outcome = 'open'" cond \
    "  UNION ALL SELECT o.opportunity_id, false, NULL," PDEAL_PRIO "," RUN_LIVE_COLS \
    "  FROM crmx_src.opportunities o WHERE o.owner_id = ANY($1::bigint[])" \
    "  AND o.outcome = 'open'" cond
/* A row's learned probability on the page: a stored row's own, a deal
 * read as it is now looked up (RUN_LEARNED); on a quiet day every row is
 * a stored one (RUN_LEARNED_STORED: the look-up in twelve partitions,
 * never run, was set up and its partitions locked on every request,
 * 0.015 ms of a manager's page of deals). */
#define RUN_LEARNED \
    "CASE WHEN t.stored THEN t.learned ELSE " LEARNED_OF("t.opportunity_id") " END"
#define RUN_LEARNED_STORED "t.learned"
/* The page of t in order, TOTAL the total: an unmarked deal's stored row
 * (its account's name looked up only when the account is marked, 0039),
 * its learned probability LEARNED. */
#define RUN_PAGE(total, from, learned) \
    " SELECT t.opportunity_id, t.name, t.account_id," \
    " CASE WHEN t.stored AND NOT coalesce(t.account_id = " CHANGED_ACCOUNTS ", false)" \
    " THEN t.account ELSE " ACCOUNT_NAME_OF("t.account_id") " END AS account," \
    " t.stage, t.amount, t.probability, t.days, " total "::bigint AS total," \
    " " learned " AS learned," \
    " " KEEPS_STAGE_WEIGHTS " AS keeps_weights" \
    " FROM " from " ORDER BY t.prio DESC, t.opportunity_id"
/* The floor of the k best deals now among the stored rows x (ROWS:
 * RUN_UNMARKED or RUN_QUIET) that meet COND (" AND ..."), as CTEs w and
 * q: the k best by stored priority and the k-th of their priorities now. */
#define RUN_FLOOR_OF(rows, cond, k) \
    " w AS (SELECT" RUN_PRIO " AS p FROM crmx.open_deal x WHERE" rows cond \
    "  ORDER BY x.prio DESC LIMIT " k ")," \
    " q AS (SELECT w.p FROM w ORDER BY w.p DESC OFFSET " k " - 1 LIMIT 1),"
/* Those stored rows at or above the floor, as c's rows. */
#define RUN_ABOVE(rows, cond) \
    " SELECT" RUN_STORED_COLS " FROM crmx.open_deal x WHERE" rows cond \
    "  AND" RUN_ABOVE_FLOOR " AND" RUN_PRIO " >= " RUN_FLOOR
/* A page by priority of the scope's ($2) deals, rows $3 from $4, total $5:
 * CTES before c, STORED c's rows before those of the scope's owners (of
 * ROWS), which meet COND (" AND ..."), then LIVE's (RUN_LIVE, or none on
 * a quiet day, and the rows' LEARNED as RUN_PAGE's). */
#define RUN_SCOPE_PAGE_OF(rows, ctes, stored, cond, live, learned) \
    "WITH" ctes " c AS (" stored " SELECT" RUN_STORED_COLS \
    "  FROM crmx.open_deal x WHERE" rows " AND x.owner_id = ANY($2::bigint[])" cond live ")," \
    " t AS (SELECT c.* FROM c ORDER BY c.prio DESC, c.opportunity_id" \
    " LIMIT $3::bigint OFFSET $4::bigint)" \
    RUN_PAGE("$5", "t", learned)
#define RUN_SCOPE_PAGE(ctes, stored, cond) \
    RUN_SCOPE_PAGE_OF(RUN_UNMARKED, ctes, stored, cond, \
                      RUN_LIVE(" AND o.owner_id = ANY($2::bigint[])"), RUN_LEARNED)
/* Everyone's page: ROWS above the floor, then LIVE's (LEARNED as there) */
#define RUN_TOP_PAGE(rows, live, learned) \
    "WITH" RUN_FLOOR_OF(rows, "", "$2::bigint + $3::bigint") \
    " c AS (" RUN_ABOVE(rows, "") live ")," \
    " t AS (SELECT c.* FROM c ORDER BY c.prio DESC, c.opportunity_id" PDEAL_TOP_LIMIT ")" \
    RUN_PAGE("$4", "t", learned)
[Q_PIPELINE_TOP_RUN] = RUN_TOP_PAGE(RUN_UNMARKED, RUN_LIVE(""), RUN_LEARNED),
/* Q_PIPELINE_PAGE_PRIO from the run's open deals (0055; $1 the owners
 * changed for the open deals' sums, $2 the viewer's scope, $3 rows from
 * $4, $5 the total): every stored row of the scope's owners (their index
 * by owner carries what the page reads) ranked by its priority now, no
 * floor (a rep's hundred open deals), with the deals read as they are
 * now, as Q_PIPELINE_TOP_RUN: no amount converted, no time zone applied,
 * no deal or account looked up in the CRM. */
[Q_PIPELINE_PAGE_PRIO_RUN] = RUN_SCOPE_PAGE("", "", ""),
/* Q_PIPELINE_PAGE_PRIO_RUN for a scope of several owners, as
 * Q_PIPELINE_TOP_RUN per team (0057): when the scope ($2) is exactly a
 * team's users as the run read them (k: a manager's scope), the stored
 * rows are that team's, and only those at or above the floor that the
 * team's k best by stored priority give are ranked, read from the index
 * by team and priority; else (the team changed since, in a table the
 * change feed does not watch) every stored row of the owners, as
 * Q_PIPELINE_PAGE_PRIO_RUN.  A manager's first page at 1M ranked 654
 * rows in 0.32 ms, 101 so in 0.23 with the test of the team. */
#define RUN_TEAM " AND x.team = (SELECT k.team FROM k)"
/* The team whose users as the run read them are exactly the scope ($2),
 * as CTE k (no row: none), of the teams of JOIN (" JOIN ..." of t, or "":
 * every team of crmx.open_team); by its first user (an index) and then
 * all of them. */
#define TEAM_K(join) \
    " k AS (SELECT t.team FROM crmx.open_team t" join " WHERE t.run_id = " RUN \
    "  AND t.owners[1] = ($2::bigint[])[1] AND t.owners = $2::bigint[]),"
#define RUN_TEAM_K TEAM_K("")
[Q_PIPELINE_TEAM_PRIO_RUN] =
    RUN_SCOPE_PAGE(RUN_TEAM_K RUN_FLOOR_OF(RUN_UNMARKED, RUN_TEAM, "$3::bigint + $4::bigint"),
                   RUN_ABOVE(RUN_UNMARKED, RUN_TEAM) " UNION ALL",
                   " AND NOT EXISTS (SELECT 1 FROM k)"),
/* The window the panels' closed-deal figures cover: the latest run's,
 * as the report's ([metrics] window_days up to its as-of date; the 365 days
 * up to today before the first run). */
#define WINDOW_END "coalesce((SELECT as_of FROM crmx.latest_run), current_date)"
#define WINDOW_START "coalesce((SELECT window_start FROM crmx.latest_run), current_date - 364)"
/* Deals closed in the window, both parts of the page's closed deals in
 * one statement and one scan (c: lost_reason, source, outcome, n, amount):
 * first the lost deals by reason (part 'lost': deals, amount; no reason:
 * NULL reason), then the win rate by source (part 'source': won, lost;
 * won / (won + lost), docs/metrics.md §3), each in its own order.  As two
 * statements they read the scope's closed deals (or the run's sums) twice
 * and took a manager's pipeline a tenth of a millisecond more.  AMOUNT:
 * the lost amount of g. */
#define CLOSED_PARTS(amount) \
    " SELECT CASE WHEN g.part = 0 THEN 'lost' ELSE 'source' END AS part, g.lost_reason," \
    " g.lost AS deals, " amount " AS amount, g.source, coalesce(g.won, 0) AS won," \
    " coalesce(g.lost, 0) AS lost FROM (SELECT grouping(c.lost_reason) AS part, c.lost_reason," \
    "  coalesce(c.source, '(none)') AS source," \
    "  sum(c.n) FILTER (WHERE c.outcome = 'lost') AS lost," \
    "  sum(c.amount) FILTER (WHERE c.outcome = 'lost') AS lost_amount," \
    "  sum(c.n) FILTER (WHERE c.outcome = 'won') AS won, sum(c.n) AS n FROM c" \
    "  GROUP BY GROUPING SETS ((c.lost_reason), (coalesce(c.source, '(none)')))) g" \
    " WHERE CASE WHEN g.part = 0 THEN g.lost > 0 ELSE g.n > 0 END" \
    " ORDER BY g.part, CASE WHEN g.part = 0 THEN g.lost END DESC," \
    " CASE WHEN g.part = 0 THEN g.lost_amount END DESC NULLS LAST," \
    " CASE WHEN g.part = 0 THEN g.lost_reason END, CASE WHEN g.part = 1 THEN g.n END DESC, g.source"
[Q_CLOSED_PARTS] =
    "WITH c AS (SELECT o.lost_reason, o.source, o.outcome, 1 AS n, o.amount"
    " FROM crmx_src.opportunities o WHERE " SCOPE_SQL("o.owner_id")
    " AND o.outcome IN ('won', 'lost')"
    " AND o.closed_at >= " WINDOW_START " AND o.closed_at < " WINDOW_END " + 1)"
    CLOSED_PARTS("coalesce(g.lost_amount, 0)"),
[Q_DEAL] =
    "SELECT o.opportunity_id, o.name, o.account_id, a.name AS account, u.name AS owner,"
    " o.stage, o.stage_rank, o.amount, o.probability, o.source,"
    " to_char(o.created_at, 'YYYY-MM-DD') AS created_at,"
    " o.expected_close::text AS expected_close, to_char(o.closed_at, 'YYYY-MM-DD') AS closed_at,"
    " o.outcome, o.lost_reason, current_date - o.stage_entered_at::date AS days_in_stage,"
    " current_date - o.created_at::date AS age_days,"
    " EXISTS (SELECT 1 FROM crmx_src.contacts k WHERE k.account_id = o.account_id"
    "  AND k.purchase_role = 'decision_maker') AS key_person_known"
    " FROM crmx_src.opportunities o JOIN crmx_src.accounts a ON a.account_id = o.account_id"
    " LEFT JOIN crmx_src.users u ON u.user_id = o.owner_id"
    " WHERE o.opportunity_id = $2::bigint AND " SCOPE_SQL("o.owner_id"),
/* Each entry into a layer and the days until the next one (or the close,
 * or today for a deal still there). */
[Q_DEAL_HISTORY] =
    "SELECT h.stage_rank, to_char(h.entered_at, 'YYYY-MM-DD') AS entered_at,"
    " coalesce(lead(h.entered_at) OVER (ORDER BY h.entered_at, h.stage_rank), o.closed_at,"
    "  now())::date - h.entered_at::date AS days"
    " FROM crmx_src.stage_history h"
    " JOIN crmx_src.opportunities o ON o.opportunity_id = h.opportunity_id"
    " WHERE h.opportunity_id = $2::bigint AND " SCOPE_SQL("o.owner_id")
    " ORDER BY h.entered_at, h.stage_rank",
[Q_DEAL_REVIEWS] =
    "SELECT r.step_completed, r.evidence, r.action, r.plan, r.created_by,"
    " to_char(r.created_at, 'YYYY-MM-DD HH24:MI') AS created_at"
    " FROM crmx.deal_review r WHERE r.opportunity_id = $2::bigint AND " DEAL_VISIBLE
    " ORDER BY r.created_at DESC, r.id DESC LIMIT 20",
/* The deal's learned close probability and the three features that move
 * it most (keys of reportd/metrics/dealstate.c), from the latest run. */
[Q_DEAL_FORECAST] =
    "SELECT f.probability, f.stage_weight, array_to_string(f.top_features, ' ') AS features,"
    " array_to_string(f.top_effects, ' ') AS effects,"
    " (SELECT b.uses_model FROM crmx.forecast_backtest b WHERE b.run_id = f.run_id) AS uses_model"
    " FROM crmx.deal_forecast f"
    " WHERE f.run_id = " RUN " AND f.opportunity_id = $2::bigint AND " DEAL_VISIBLE,
/* $3 step, $4 evidence, $5 action, $6 plan, $7 who; no row: not visible. */
[Q_SAVE_REVIEW] =
    "INSERT INTO crmx.deal_review (opportunity_id, step_completed, evidence, action, plan,"
    " created_by)"
    " SELECT o.opportunity_id, $3, $4, $5, $6, $7 FROM crmx_src.opportunities o"
    " WHERE o.opportunity_id = $2::bigint AND " SCOPE_SQL("o.owner_id") " RETURNING id",
/* The open deals Q_PIPELINE_DEALS pages through ($2 its search), for a
 * page past the last, which holds no row to carry the total. */
[Q_PIPELINE_COUNT] =
    "SELECT count(*) AS total FROM crmx_src.opportunities o"
    " JOIN crmx_src.accounts a ON a.account_id = o.account_id"
    " WHERE " SCOPE_SQL("o.owner_id") " AND o.outcome = 'open'" DEALS_SEARCH("$2"),
/* An account's closed deals, the latest first: won and lost, with the
 * lost reason. */
[Q_ACCOUNT_CLOSED] =
    "SELECT o.opportunity_id, o.name, o.outcome, o.amount, o.lost_reason,"
    " to_char(o.closed_at, 'YYYY-MM-DD') AS closed_at"
    " FROM crmx_src.opportunities o"
    " WHERE o.account_id = $2::bigint AND o.outcome IN ('won', 'lost')"
    " AND " SCOPE_SQL("o.owner_id")
    " ORDER BY o.closed_at DESC NULLS LAST, o.opportunity_id DESC",
/* The users of team $2 ('' : those without one) in the viewer's scope, as
 * a scope ("{...}", maybe "{}"): an executive's view of one team. */
[Q_TEAM_OWNERS] =
    "SELECT coalesce(array_agg(u.user_id ORDER BY u.user_id), '{}')::text AS owners"
    " FROM crmx_src.users u WHERE " SCOPE_SQL("u.user_id") " AND coalesce(u.team, '') = $2",
/* The team view: one row per rep in scope (a rep: role 'rep' or an owner
 * of open deals) with the open deals live (count, amount, weighted, the
 * weighted forecast of this month and quarter as in Q_FUNNEL, stalled
 * ones after the stall days (STALL_DAYS), ones without a review in 14 days), won this quarter
 * (live), precise customers, and from the latest run the 12-month win
 * rate, activity, revenue per hour, key-person coverage and won revenue,
 * whose share of the team's and cumulative share (largest first) are the
 * 80/20 of reps; the open deals' learned forecast (amount times the latest
 * run's learned probability, docs/metrics.md §6) and, on every row, why
 * that run's forecast keeps the stage weights (NULL: it uses the model).
 * Teams are '' for users without one. */
[Q_TEAM] =
    "WITH o AS (SELECT o.owner_id, count(*) AS open_deals, coalesce(sum(o.amount), 0) AS open_amount,"
    " coalesce(sum(" TEAM_W("o.probability") "), 0) AS weighted,"
    TEAM_FORECAST("o.expected_close", TEAM_W("o.probability"))
    " count(*) FILTER (WHERE current_date - o.stage_entered_at::date > " STALL_DAYS ") AS stalled,"
    " count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crmx.deal_review r"
    " WHERE r.opportunity_id = o.opportunity_id AND r.created_at >= now() - interval '14 days'))"
    " AS unreviewed, sum(" TEAM_W("f.probability") ") AS learned"
    " FROM crmx_src.opportunities o"
    " LEFT JOIN crmx.deal_forecast f ON f.run_id = " RUN
    "  AND f.opportunity_id = o.opportunity_id"
    " WHERE " SCOPE_SQL("o.owner_id") " AND o.outcome = 'open'"
    " GROUP BY o.owner_id),"
    " p AS (SELECT a.owner_id, count(*) AS precise FROM crmx.qualification q"
    " JOIN crmx_src.accounts a ON a.account_id = q.account_id"
    " WHERE " SCOPE_SQL("a.owner_id") " AND q.has_need AND q.can_pay AND q.has_authority"
    " GROUP BY a.owner_id),"
    TEAM_ROWS(SCOPE_SQL) TEAM_ORDER,
/* Q_TEAM from the latest run's sums (0031; $1 the owners changed for the
 * open deals' sums, $2 the scope, $3 the owners changed for the accounts'
 * sums, 0037; the stall days STALL_DAYS): the unchanged owners' open deals
 * by due month and precise customers as the run stored them, the changed
 * owners' read now, and the changed deals of the others as the run
 * counted them taken out and as they are now added (CHANGED_DEALS; an
 * owner left with no open deal has no row, as in Q_TEAM); stalled: the
 * deals with a stage date less those whose stage began within the stall
 * days, unreviewed: the open deals less those reviewed in 14 days, both
 * read now through indexes; the learned forecast unknown when no deal
 * left has one (each stored row counts its deals with one, 0049: a rep
 * whose scored deals all moved away since the run had a known 0).  No
 * rows when the latest run stored no team sums. */
[Q_TEAM_AGG] =
    "WITH s AS (SELECT x.owner_id, x.due_month AS due, x.deals, x.dated, x.amount, x.weighted,"
    "  x.learned, x.learned_n FROM crmx.team_agg x"
    "  WHERE x.run_id = " RUN " AND " TEAM_SCOPE2("x.owner_id") " AND x.owner_id <> ALL($1::bigint[])"
    "  UNION ALL SELECT o.owner_id, " TEAM_DEAL_NOW ", " TEAM_LEARNED_NOW
    "  FROM crmx_src.opportunities o"
    "  LEFT JOIN crmx.deal_forecast f ON f.run_id = " RUN
    "  AND f.opportunity_id = o.opportunity_id"
    "  WHERE o.owner_id = ANY($1::bigint[]) AND " TEAM_SCOPE2("o.owner_id")
    "  AND o.outcome = 'open'"
    "  UNION ALL SELECT x.owner_id, " TEAM_DEAL_RUN("x") ", " TEAM_LEARNED_RUN("x")
    "  FROM crmx.open_deal x"
    "  WHERE x.run_id = " RUN " AND x.opportunity_id = " CHANGED_DEALS
    "  AND x.owner_id <> ALL($1::bigint[]) AND " TEAM_SCOPE2("x.owner_id")
    "  UNION ALL SELECT o.owner_id, " TEAM_DEAL_NOW ", " TEAM_LEARNED_NOW
    "  FROM" CHANGED_DEALS_NOW
    "  LEFT JOIN crmx.deal_forecast f ON f.run_id = " RUN
    "  AND f.opportunity_id = o.opportunity_id"
    "  WHERE o.owner_id <> ALL($1::bigint[])"
    "  AND " TEAM_SCOPE2("o.owner_id") " AND o.outcome = 'open'),"
    " rv AS (SELECT o.owner_id, count(*) AS n FROM (SELECT DISTINCT r.opportunity_id"
    "  FROM crmx.deal_review r WHERE r.created_at >= now() - interval '14 days') r"
    "  JOIN crmx_src.opportunities o USING (opportunity_id)"
    "  WHERE " TEAM_SCOPE2("o.owner_id") " AND o.outcome = 'open' GROUP BY 1),"
    " nw AS (SELECT o.owner_id, count(*) AS n FROM crmx_src.opportunities o"
    "  WHERE " TEAM_SCOPE2("o.owner_id") " AND o.outcome = 'open'"
    "  AND o.stage_entered_at >= (current_date - " STALL_DAYS ")::timestamptz GROUP BY 1),"
    " o AS (SELECT s.owner_id, sum(s.deals) AS open_deals, sum(s.amount) AS open_amount,"
    " coalesce(sum(s.weighted), 0) AS weighted," TEAM_FORECAST("s.due", "s.weighted")
    " sum(s.dated) - coalesce(max(nw.n), 0) AS stalled,"
    " sum(s.deals) - coalesce(max(rv.n), 0) AS unreviewed,"
    " CASE WHEN sum(s.learned_n) > 0 THEN sum(s.learned) END AS learned"
    " FROM s LEFT JOIN nw USING (owner_id) LEFT JOIN rv USING (owner_id) GROUP BY s.owner_id"
    " HAVING sum(s.deals) > 0),"
    " p AS (SELECT p.owner_id, sum(p.precise) AS precise FROM ("
    "  SELECT x.owner_id, x.precise FROM "
    /* a team's users each looked up by key: a generic plan read all 1,000
     * of the run's rows for a manager's seven (0.1 ms) */
    OWN_ONLY("unnest($2::bigint[]) l(id) CROSS JOIN LATERAL (SELECT x.* FROM crmx.team_precise x"
             " WHERE x.run_id = " RUN " AND x.owner_id = l.id OFFSET 0) x")
    ALL_ONLY("crmx.team_precise x")
    "  WHERE x.run_id = " RUN " AND " TEAM_SCOPE2("x.owner_id") " AND x.owner_id <> ALL($3::bigint[])"
    "  UNION ALL SELECT a.owner_id, count(*) FROM crmx.qualification q"
    "  JOIN crmx_src.accounts a ON a.account_id = q.account_id"
    "  WHERE a.owner_id = ANY($3::bigint[]) AND " TEAM_SCOPE2("a.owner_id")
    "  AND q.has_need AND q.can_pay AND q.has_authority GROUP BY a.owner_id"
    "  UNION ALL SELECT a.owner_id, " PRECISE_DELTA " FROM crmx_src.accounts a"
    "  WHERE a.account_id = " CHANGED_ACCOUNTS " AND a.owner_id <> ALL($3::bigint[])"
    "  AND " TEAM_SCOPE2("a.owner_id") ") p GROUP BY p.owner_id),"
    TEAM_ROWS(TEAM_SCOPE2)
    " WHERE (SELECT r.team_sums FROM crmx.run r WHERE r.run_id = " RUN ")"
    TEAM_ORDER,
/* Forecast accuracy's months (Q_FORECAST_ACCURACY, _AGG): the 6 before the
 * month after ASOF (a run's as-of date), each with its label (made here
 * once: to_char through a timestamp with time zone on each row of the
 * team view's 1,002 was an eighth of its statement), the last complete
 * run before it began (r materialized: inlined, its subquery ran for
 * every row of the join, 13,020 times for an executive at 1M) and that
 * run's forecasts for it (fc: joined whole, every kept run's forecasts
 * were hashed, 38,694 rows after eight runs at 1M, for the 6,000 used). */
#define ACC_MONTHS(asof) \
    "WITH e AS (SELECT date_trunc('month', coalesce(" asof ", current_date) + 1)::date AS next)," \
    " mo AS (SELECT (e.next - make_interval(months => k))::date AS m FROM e," \
    "  generate_series(1, 6) k)," \
    " r AS MATERIALIZED (SELECT mo.m, to_char(mo.m, 'YYYY-MM') AS month," \
    "  (SELECT x.run_id FROM crmx.run x WHERE x.status = 'ok'" \
    "  AND x.as_of < mo.m ORDER BY x.as_of DESC, x.run_id DESC LIMIT 1) AS run_id FROM mo)," \
    " fc AS (SELECT f.run_id, f.owner_id, f.period_start, f.weighted FROM r" \
    "  JOIN crmx.forecast f ON f.run_id = r.run_id AND f.period_start = r.m),"
/* The won amounts by owner (of u, WHERE "" or " WHERE ..." of them) and
 * month of those months that have a run, read live owner by owner through
 * the adapter's index by owner and stage: over every closed deal of the
 * six months (422,126 at 1M, 93,268 won) an executive's page took 190 ms,
 * this way 66. */
#define ACC_WON_LIVE(where) \
    " SELECT u.user_id AS owner_id, x.m, x.won FROM u CROSS JOIN LATERAL (" \
    "  SELECT date_trunc('month', o.closed_at)::date AS m, sum(o.amount) AS won" \
    "  FROM crmx_src.opportunities o WHERE o.owner_id = u.user_id AND o.outcome = 'won'" \
    "  AND o.closed_at >= (SELECT min(r.m) FROM r WHERE r.run_id IS NOT NULL)" \
    "  AND o.closed_at < (SELECT next FROM e) GROUP BY 1) x" where
/* Each owner of u by month of r: FORECAST the weighted forecast, read
 * through FJOIN ("" when w carries it), and w's won amount. */
#define ACC_ROWS(forecast, fjoin) \
    " SELECT u.user_id, r.month, coalesce(" forecast ", 0) AS forecast," \
    " coalesce(w.won, 0) AS won" \
    " FROM r CROSS JOIN u" fjoin \
    " LEFT JOIN w ON w.owner_id = u.user_id AND w.m = r.m" \
    " WHERE r.run_id IS NOT NULL"
/* Forecast accuracy (team.h) per owner in scope for each of the 6 months before the latest run's as-of month (that
 * month too when as_of is its last day): the weighted forecast for M the
 * last complete run before M began stored (crmx.forecast), and the won
 * amount closed in M.  Months no run precedes are left out. */
[Q_FORECAST_ACCURACY] =
    ACC_MONTHS("(SELECT as_of FROM crmx.latest_run)")
    " u AS (SELECT u.user_id FROM crmx_src.users u WHERE " SCOPE_SQL("u.user_id") "),"
    " w AS (" ACC_WON_LIVE("") ")"
    ACC_ROWS("f.weighted", " LEFT JOIN fc f ON f.run_id = r.run_id AND f.owner_id = u.user_id"
             " AND f.period_start = r.m") " ORDER BY u.user_id, r.m",
/* The same for the owners in scope $2 from the latest run's won amounts
 * and forecasts by month (0044, 0045), the months of that run ($1 the
 * owners changed for the closed deals' sums: won amounts read live, their
 * forecasts by fc's key); no rows when it stored none.  With every
 * owner's forecasts hashed from fc it took an executive 16-17 ms at 1M
 * (eleven runs kept), 10 with them stored.  ACC_STORED_HEAD: its months,
 * its owners (u) and w up to the stored rows of them, open for more. */
#define ACC_STORED_HEAD \
    ACC_MONTHS("(SELECT x.as_of FROM crmx.run x WHERE x.run_id = " RUN ")") \
    " u AS (SELECT u.user_id FROM crmx_src.users u WHERE " TEAM_SCOPE2("u.user_id") ")," \
    " w AS (SELECT x.owner_id, x.month AS m, x.won, x.forecast FROM crmx.won_month x" \
    "  WHERE x.run_id = " RUN " AND " TEAM_SCOPE2("x.owner_id")
/* ... and its rows, when the run stored the months (COND: " AND ..." more) */
#define ACC_STORED_ROWS(cond) \
    ACC_ROWS("w.forecast", "") " AND (SELECT x.won_months FROM crmx.run x WHERE x.run_id = " RUN ")" \
    cond " ORDER BY u.user_id, r.m"
[Q_FORECAST_ACCURACY_AGG] =
    ACC_STORED_HEAD
    "  AND x.owner_id <> ALL($1::bigint[])"
    "  UNION ALL SELECT coalesce(l.owner_id, f.owner_id), coalesce(l.m, f.period_start),"
    "  coalesce(l.won, 0), coalesce(f.weighted, 0) FROM ("
    ACC_WON_LIVE(" WHERE u.user_id = ANY($1::bigint[])") ") l FULL JOIN ("
    "  SELECT f.owner_id, f.period_start, f.weighted FROM fc f"
    "  WHERE f.owner_id = ANY($1::bigint[]) AND " TEAM_SCOPE2("f.owner_id") ") f"
    "  ON f.owner_id = l.owner_id AND f.period_start = l.m)" ACC_STORED_ROWS(""),
/* Q_FORECAST_ACCURACY_AGG on a quiet day, when no owner of the scope
 * changed for the closed deals' sums ($1 empty: no row otherwise): the
 * won amounts and forecasts by month as the run stored them, under a plan
 * without the 20 nodes that read the changed owners' (a rep's 0.15 ms,
 * 0.11 so). */
[Q_FORECAST_ACCURACY_QUIET] =
    ACC_STORED_HEAD ")" ACC_STORED_ROWS(" AND cardinality($1::bigint[]) = 0"),
/* An executive's team view from the run's sums per team (0048): the
 * owners whose rows are read live, as a scope ("{...}"): those changed
 * since the run for the open deals' sums ($1) and the accounts' ($2); the
 * owners (then and now) of the deals changed
 * since who are not reps (they are shown as a team's reps when they own
 * open deals); the users whose team or role is not the one the run
 * grouped them by, whom it did not know or who are gone, unless the
 * adapter's change feed marks everything on such a change
 * (crmx_src.users_watched(): then the run's sums are not used at all
 * after it, and comparing 1,170 users with the members took 0.4 ms of
 * each page at 1M). */
[Q_TEAM_LIVE] =
    TEAM_LIVE_OWNERS("::text", "owners", "crmx.open_deal x WHERE x.run_id = " RUN
                     " AND x.opportunity_id = " CHANGED_DEALS " AND", CHANGED_DEALS_NOW),
/* One row per team from the run's sums per team (0048): those stored,
 * less the stored rows of the run's members read live ($1, Q_TEAM_LIVE)
 * and of the changed deals (CHANGED_DEALS, each in its owner's team),
 * plus the changed deals as they are now (unless their owner is read
 * live), and the changed accounts' precise customers as they are now in
 * place of as the run counted them (PRECISE_DELTA): open deals by due
 * month (the weighted forecast of this month and quarter as in Q_TEAM),
 * the bases of the rates (won and lost deals; the open deals of the
 * members whose key-person coverage is known, and those covered),
 * revenue and activity (unknown when no member left has the run's
 * metrics), precise customers, the learned forecast (unknown when no deal
 * left has a learned probability); and read now through indexes for the
 * other members: won this quarter, stalled (deals with a stage date less
 * those whose stage began within the stall days) and unreviewed (open
 * deals less those reviewed in 14 days).  A team all of whose members
 * are read live has no row; no rows when the run stored no sums per
 * team. */
[Q_TEAM_TEAMS] =
    "WITH" TEAM_LIVE_X
    " d AS (SELECT s.team, s.due_month AS due, s.deals, s.dated, s.amount, s.weighted,"
    "  s.learned, s.learned_n FROM crmx.team_open s WHERE s.run_id = " RUN
    "  UNION ALL SELECT m.team, " TEAM_DEAL_RUN("a") ", " TEAM_LEARNED_RUN("a")
    TEAM_RUN_CHANGED
    "  UNION ALL SELECT m.team, " TEAM_DEAL_NOW ", " TEAM_LEARNED_NOW
    TEAM_NOW_CHANGED "),"
    " o AS (SELECT d.team, sum(d.deals) AS open_deals, sum(d.amount) AS open_amount,"
    " coalesce(sum(d.weighted), 0) AS weighted," TEAM_FORECAST("d.due", "d.weighted")
    " sum(d.dated) AS dated, CASE WHEN sum(d.learned_n) > 0 THEN sum(d.learned) END AS learned"
    " FROM d GROUP BY d.team),"
    " b AS (SELECT b.team, sum(b.reps) AS reps, sum(b.metrics_n) AS metrics_n,"
    " sum(b.revenue) AS revenue, sum(b.activity_minutes) AS activity_minutes,"
    " sum(b.won) AS won, sum(b.lost) AS lost, sum(b.cov_open) AS cov_open,"
    " sum(b.covered) AS covered, sum(b.precise) AS precise FROM ("
    "  SELECT b.team, b.reps, b.metrics_n, b.revenue, b.activity_minutes, b.won, b.lost,"
    "  b.cov_open, b.covered, b.precise FROM crmx.team_base b WHERE b.run_id = " RUN
    "  UNION ALL SELECT " TEAM_X_BASES TEAM_X_BASES_FROM
    "  UNION ALL SELECT m.team, 0, 0, 0, 0, 0, 0, 0, 0, " PRECISE_DELTA TEAM_PRECISE_CHANGED ") b"
    " GROUP BY b.team)," TEAM_SM
    " w AS (SELECT sm.team, sum(o.amount) AS won_quarter" TEAM_WON_QUARTER " GROUP BY 1),"
    " nw AS (SELECT sm.team, count(*) AS n" TEAM_STAGE_NEW " GROUP BY 1),"
    " rv AS (SELECT sm.team, count(*) AS n" TEAM_REVIEWED " GROUP BY 1)"
    " SELECT b.team, b.reps, coalesce(o.open_deals, 0) AS open_deals,"
    " coalesce(o.open_amount, 0) AS open_amount, coalesce(o.weighted, 0) AS weighted,"
    " coalesce(o.forecast_month, 0) AS forecast_month,"
    " coalesce(o.forecast_quarter, 0) AS forecast_quarter,"
    " coalesce(w.won_quarter, 0) AS won_quarter,"
    " coalesce(o.dated, 0) - coalesce(nw.n, 0) AS stalled,"
    " coalesce(o.open_deals, 0) - coalesce(rv.n, 0) AS unreviewed,"
    " CASE WHEN b.metrics_n > 0 THEN b.activity_minutes END AS activity_minutes,"
    " CASE WHEN b.metrics_n > 0 THEN b.revenue END AS won_12m, b.precise, o.learned,"
    " b.won AS won_n, b.lost AS lost_n, b.cov_open, b.covered,"
    " (SELECT b.reason FROM crmx.forecast_backtest b"
    "  WHERE b.run_id = " RUN " AND NOT b.uses_model) AS keeps_weights,"
    " (SELECT r.as_of FROM crmx.run r WHERE r.run_id = " RUN ")::text AS as_of"
    " FROM b LEFT JOIN o USING (team) LEFT JOIN w USING (team) LEFT JOIN nw USING (team)"
    " LEFT JOIN rv USING (team)"
    " WHERE b.reps > 0 AND " TEAM_ROWS_STORED
    " ORDER BY b.team COLLATE \"C\"",
/* The same from the run's whole rows per team (0056), chosen while today
 * is in the run's month (Q_PANEL_AGG's usable_whole): each
 * team's stored row plus its changes, as Q_TEAM_TEAMS sums them with the
 * stored due months but each deal's part of this month's and this
 * quarter's forecast by its own due month, and the live counts (won this
 * quarter, stage begun within the stall days, reviewed in 14 days); and
 * the forecast accuracy's months as the run stored them (NULL when the
 * runs now give other months: Q_TEAM_TEAMS_ACC reads them), to which
 * Q_TEAM_ACC_DELTA's rows are added.  Summing 1,221 due months' rows and
 * reading 1,002 months' per page took 1.6 and 1.5 ms of a server process
 * at 1M, 3 and 2 under load.  The owners read live are Q_TEAM_LIVE's ($1
 * and $2 as there), found in the same statement (lv, and on every row as
 * live): the changed deals are looked up once (cr as the run stored them,
 * cn as they are now) for both; as two statements, 150 changed deals were
 * looked up twice, 1.3 ms more of each page at 1M. */
[Q_TEAM_WHOLE] =
    ACC_MONTHS("(SELECT x.as_of FROM crmx.run x WHERE x.run_id = " RUN ")")
    " cr AS MATERIALIZED (SELECT a.* FROM crmx.open_deal a WHERE a.run_id = " RUN
    "  AND a.opportunity_id = " CHANGED_DEALS "),"
    " cn AS MATERIALIZED (SELECT o.* FROM" CHANGED_DEALS_NOW "),"
    " lv AS MATERIALIZED (" TEAM_LIVE_OWNERS("", "ids", "cr x WHERE", " cn o") "),"
    TEAM_LIVE_OF(TEAM_LV) TEAM_SM_OF(TEAM_LV)
    " t AS (SELECT m.team, 0 AS reps, 0 AS metrics_n, 0 AS revenue, 0 AS activity_minutes,"
    "  0 AS won, 0 AS lost, 0 AS cov_open, 0 AS covered, 0 AS precise, -1 AS open_deals,"
    "  -a.dated::int AS dated, -a.amount AS open_amount, -(a.weighted::numeric) AS weighted,"
    "  -" TEAM_DUE_BEFORE("a.due_month", MONTH_END, "a.weighted::numeric") " AS forecast_month,"
    "  -" TEAM_DUE_BEFORE("a.due_month", QUARTER_END, "a.weighted::numeric") " AS forecast_quarter,"
    "  -a.learned AS learned, " TEAM_LEARNED_RUN("a") " AS learned_n, 0 AS won_quarter,"
    "  0 AS new_n, 0 AS reviewed_n"
    TEAM_RUN_TEAM("(SELECT a.* FROM cr a UNION ALL SELECT a.* FROM crmx.open_deal a"
                  " WHERE a.run_id = " RUN " AND a.owner_id = ANY(" TEAM_LV ")"
                  " AND a.opportunity_id <> ALL(ARRAY(SELECT c.opportunity_id FROM cr c))) a")
    "  UNION ALL SELECT m.team, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, (o.stage_entered_at IS NOT NULL)::int,"
    "  o.amount, " TEAM_W("o.probability") ","
    "  " TEAM_DUE_BEFORE("date_trunc('month', o.expected_close)::date", MONTH_END,
                           TEAM_W("o.probability")) ","
    "  " TEAM_DUE_BEFORE("date_trunc('month', o.expected_close)::date", QUARTER_END,
                           TEAM_W("o.probability")) ","
    "  " TEAM_W("f.probability") ", " TEAM_LEARNED_NOW ", 0, 0, 0" TEAM_NOW_OF(" cn o", TEAM_LV)
    "  UNION ALL SELECT " TEAM_X_BASES ", 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0" TEAM_X_BASES_FROM
    "  UNION ALL SELECT m.team, 0, 0, 0, 0, 0, 0, 0, 0, " PRECISE_DELTA ","
    "  0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0" TEAM_PRECISE_OF(TEAM_LV)
    "  UNION ALL " TEAM_LIVE_COUNTS "),"
    TEAM_WHOLE_D TEAM_WHOLE_ROWS("(SELECT l.ids::text FROM lv l)"),
/* Q_TEAM_WHOLE on a quiet day: rows only when nothing changed since the
 * run's snapshot that Q_TEAM_WHOLE would read live (no owner changed for
 * the open deals' sums, $1, or the accounts', $2; no changed deal or
 * account; users watched by the adapter, so no member moved unseen; the
 * run stored the rows), and then the same rows: the stored ones with the
 * live counts, the stored figures as one text (TEAM_QUIET_ROWS).
 * Q_TEAM_WHOLE initialised its whole plan for the changes
 * on every request, 0.4 ms of each quiet page at 1M; with no row here the
 * page asks Q_TEAM_WHOLE. */
[Q_TEAM_QUIET] =
    ACC_MONTHS("(SELECT x.as_of FROM crmx.run x WHERE x.run_id = " RUN ")")
    TEAM_SM_OF("'{}'::bigint[]") " t AS (" TEAM_LIVE_COUNTS "),"
    TEAM_WHOLE_D TEAM_QUIET_ROWS
    " AND $1::bigint[] = '{}' AND $2::bigint[] = '{}'"
    " AND NOT EXISTS (SELECT 1 FROM crmx.changed_deal)"
    " AND NOT EXISTS (SELECT 1 FROM crmx.changed_account)"
    " AND to_regprocedure('crmx_src.users_watched()') IS NOT NULL AND " TEAM_ROWS_STORED,
/* Q_TEAM_WHOLE's teams' forecast accuracy: what Q_TEAM_TEAMS_ACC adds to
 * the stored rows by team and month (its d), for the months it reads. */
[Q_TEAM_ACC_DELTA] =
    ACC_MONTHS("(SELECT x.as_of FROM crmx.run x WHERE x.run_id = " RUN ")")
    TEAM_LIVE_X TEAM_ACC_DELTA
    " SELECT d.team, r.month, d.forecast, d.won FROM d JOIN r ON r.m = d.m"
    " WHERE r.run_id IS NOT NULL",
/* Q_TEAM_TEAMS's teams' forecast accuracy: each team's won amounts and
 * forecasts by month (0048) less those of the members read live ($1),
 * and with the won amounts of the other owners changed for the closed
 * deals' sums ($2) read now, owner by owner as ACC_WON_LIVE does, in
 * place of their stored ones (their forecasts were made before each
 * month and stay), for the months of Q_FORECAST_ACCURACY_AGG, by team and
 * month.  Only those changes (d, usually none) are summed: the stored rows
 * are joined as they are (summing all 1,002 of them at 1M with the
 * changes took 2.9 ms a page, 2.2 this way). */
[Q_TEAM_TEAMS_ACC] =
    ACC_MONTHS("(SELECT x.as_of FROM crmx.run x WHERE x.run_id = " RUN ")")
    TEAM_LIVE_X
    TEAM_ACC_DELTA
    " SELECT b.team, r.month,"
    " coalesce(s.forecast, 0) + coalesce(d.forecast, 0) AS forecast,"
    " coalesce(s.won, 0) + coalesce(d.won, 0) AS won FROM r"
    " CROSS JOIN crmx.team_base b"
    " LEFT JOIN crmx.team_month s ON s.run_id = " RUN " AND s.team = b.team AND s.month = r.m"
    " LEFT JOIN d ON d.team = b.team AND d.m = r.m"
    " WHERE r.run_id IS NOT NULL AND b.run_id = " RUN
    " AND " TEAM_ROWS_STORED " ORDER BY b.team COLLATE \"C\", r.m",
[Q_PANEL_AGG] = PANEL_AGG_SQL("$1::bigint[]"),
/* The latest run's id (RUN), for a request that did not read Q_PANEL_AGG;
 * no row before the first run. */
[Q_LATEST_RUN] =
    "SELECT run_id FROM crmx.latest_run",
/* The scope's ($2) funnel counts from the owners' stored figures, and the
 * funnel's row from the sums d, for Q_FUNNEL_AGG and Q_FUNNEL_QUIET. */
#define OWNERS_FUNNEL_SUMS \
    FUNNEL_SUMS(" FROM crmx.owner_metrics m WHERE m.run_id = " RUN \
                " AND m.owner_id = ANY($2::bigint[])")
/* Everyone's funnel counts as the run summed them (0052; summed here for
 * a run stored without them), for Q_FUNNEL_AGG and Q_FUNNEL_QUIET. */
#define ALL_FUNNEL_SUMS \
    "SELECT w.reached, CASE WHEN w.owners > 0 THEN " RUN_AS_OF " END AS as_of," \
    "  w.conv_base FROM (SELECT * FROM crmx.owner_funnel x WHERE x.run_id = " RUN \
    "  UNION ALL SELECT * FROM crmx.owner_funnel_sums(" RUN ") WHERE NOT EXISTS (SELECT 1" \
    "  FROM crmx.owner_funnel x WHERE x.run_id = " RUN ")) w"
#define FUNNEL_AGG_OUT \
    FUNNEL_OUT(" coalesce(sum(n), 0) AS open_all," LAYER_AGG(1) LAYER_AGG(2) LAYER_AGG(3) \
               LAYER_AGG(4) LAYER_AGG(5) FUNNEL_FORECAST("coalesce(due, current_date)"))
/* Q_FUNNEL from the run's sums ($1 the changed owners, $2 the scope,
 * NULL: everyone): over everyone the sums of all less the changed
 * owners', else the sums of the scope's unchanged owners; plus the
 * changed owners' deals in the scope as they are now; and the changed
 * deals of the other owners, less as the run counted them, plus as they
 * are now (CHANGED_DEALS).  Everyone's and a scope's are two statements
 * (ALL_ONLY, OWN_ONLY): in one, each plan set up the other's branches
 * too on every request. */
[Q_FUNNEL_AGG] =
    "WITH d AS MATERIALIZED ("
    ALL_ONLY("SELECT x.stage_rank, x.deals AS n, x.amount, x.weighted AS w,"
    "  x.due_month AS due FROM crmx.pipeline_agg x WHERE x.run_id = " RUN " AND x.whole"
    "  UNION ALL SELECT x.stage_rank, -x.deals, -x.amount, -x.weighted, x.due_month"
    "  FROM crmx.pipeline_agg x"
    "  WHERE x.run_id = " RUN " AND NOT x.whole AND x.owner_id = ANY($1::bigint[])")
    OWN_ONLY("SELECT x.stage_rank, x.deals AS n, x.amount, x.weighted AS w,"
    "  x.due_month AS due FROM crmx.pipeline_agg x WHERE x.run_id = " RUN " AND NOT x.whole"
    "  AND x.owner_id = ANY($2::bigint[]) AND x.owner_id <> ALL($1::bigint[])")
    "  UNION ALL SELECT o.stage_rank, 1, o.amount, o.amount * o.probability,"
    "  date_trunc('month', o.expected_close)::date FROM crmx_src.opportunities o"
    "  WHERE o.owner_id = ANY($1::bigint[]) AND " SCOPE_AT("o.owner_id", "2")
    "  AND o.outcome = 'open'"
    "  UNION ALL SELECT x.stage_rank, -1, -x.amount, -x.weighted, x.due_month"
    "  FROM crmx.open_deal x WHERE x.run_id = " RUN " AND x.opportunity_id = " CHANGED_DEALS
    "  AND " NOT_OWNER1("x.owner_id") " AND " SCOPE_AT("x.owner_id", "2")
    "  UNION ALL SELECT o.stage_rank, 1, o.amount, o.amount * o.probability,"
    "  date_trunc('month', o.expected_close)::date FROM" CHANGED_DEALS_NOW
    "  WHERE " NOT_OWNER1("o.owner_id")
    "  AND " SCOPE_AT("o.owner_id", "2") " AND o.outcome = 'open'),"
    /* everyone's as the run summed them (0052; summed here for a run
     * stored without them), or the scope's by the index on (run, owner):
     * as IN_SCOPE the one plan read every owner's row (0.34 of a rep's
     * 0.64 ms) */
    " r AS (" ALL_ONLY(ALL_FUNNEL_SUMS) OWN_ONLY(OWNERS_FUNNEL_SUMS) ")" FUNNEL_AGG_OUT,
/* Q_CLOSED_PARTS from the run's sums, as Q_FUNNEL_AGG. */
[Q_CLOSED_PARTS_AGG] =
    "WITH c AS (" CLOSED_AGG("x.lost_reason, x.source", "o.lost_reason, o.source", "won', 'lost")
    CLOSED_PARTS("g.lost_amount"),
/* The scope's ($2) funnel on a quiet day as the viewer's row saw it (the
 * page asks only then, fcgi/pipeline.c): no owner of it changed for the
 * open deals' sums ($1 empty: no row otherwise) and no deal marked
 * changed, the sums as the run stored them, under a plan without
 * Q_FUNNEL_AGG's five branches for the changes.  A team's users as the
 * run read them (k, as Q_PIPELINE_TEAM_PRIO_RUN's) read the team's sums
 * (0060: at 1M about 30 rows by one key where the owners' were 117 by
 * seven, 0.19 ms a statement where 0.27); other owners (a rep), their
 * own; everyone (an executive's), the run's sums of all (0.24 ms at 1M
 * where Q_FUNNEL_AGG's took 0.28). */
#define TEAM_OF_SCOPE(stored) \
    TEAM_K(" JOIN crmx.run r ON r.run_id = t.run_id AND r." stored)
[Q_FUNNEL_QUIET] =
    "WITH" OWN_ONLY(TEAM_OF_SCOPE("pipeline_team_sums"))
    " d AS MATERIALIZED (SELECT x.stage_rank, x.deals AS n, x.amount, x.weighted AS w,"
    ALL_ONLY("  x.due_month AS due FROM crmx.pipeline_agg x WHERE x.run_id = " RUN " AND x.whole")
    OWN_ONLY("  x.due_month AS due FROM crmx.team_pipeline_agg x"
    "  WHERE x.run_id = " RUN " AND x.team = (SELECT k.team FROM k)"
    "  UNION ALL SELECT x.stage_rank, x.deals, x.amount, x.weighted, x.due_month"
    "  FROM crmx.pipeline_agg x WHERE x.run_id = " RUN " AND NOT x.whole")
    "  AND " SCOPE_AT("x.owner_id", "2") OWN_ONLY(" AND NOT EXISTS (SELECT 1 FROM k)") "),"
    " r AS (" ALL_ONLY(ALL_FUNNEL_SUMS) OWN_ONLY(OWNERS_FUNNEL_SUMS) ")" FUNNEL_AGG_OUT
    " WHERE cardinality($1::bigint[]) = 0",
/* Q_CLOSED_PARTS_AGG the same way: a team's stored sums (0060), everyone's
 * or the owners' own when no owner of the scope changed for the closed deals'
 * sums ($1 empty: no row otherwise; a deal closed marks its owner for
 * these sums, 0041). */
[Q_CLOSED_PARTS_QUIET] =
    "WITH" OWN_ONLY(TEAM_OF_SCOPE("pipeline_team_sums"))
    " c AS (SELECT x.lost_reason, x.source, x.outcome, x.deals AS n, x.amount"
    ALL_ONLY("  FROM crmx.closed_agg x WHERE x.run_id = " RUN " AND x.whole")
    OWN_ONLY("  FROM crmx.team_closed_agg x WHERE x.run_id = " RUN " AND x.team = (SELECT k.team FROM k)"
    "  AND x.outcome IN ('won', 'lost') AND cardinality($1::bigint[]) = 0"
    "  UNION ALL SELECT x.lost_reason, x.source, x.outcome, x.deals, x.amount"
    "  FROM crmx.closed_agg x WHERE x.run_id = " RUN " AND NOT x.whole")
    "  AND x.outcome IN ('won', 'lost') AND " SCOPE_AT("x.owner_id", "2")
    "  AND cardinality($1::bigint[]) = 0" OWN_ONLY(" AND NOT EXISTS (SELECT 1 FROM k)") ")"
    CLOSED_PARTS("g.lost_amount"),
/* A rep's page by priority on a quiet day, beside Q_FUNNEL_QUIET:
 * Q_PIPELINE_PAGE_PRIO_RUN with only the stored rows of the scope ($2),
 * the plan without its branches for the marked deals and the changed
 * owners ($1, empty: kept as the rows' filter). */
[Q_PIPELINE_PRIO_QUIET] = RUN_SCOPE_PAGE_OF(RUN_QUIET, "", "", "", "", RUN_LEARNED_STORED),
/* A manager's and an executive's page the same way, beside
 * Q_FUNNEL_QUIET: Q_PIPELINE_TEAM_PRIO_RUN and Q_PIPELINE_TOP_RUN with
 * only the stored rows (at 1M the first page 0.29 and 0.27 ms, 0.25 and
 * 0.23 so). */
[Q_PIPELINE_TEAM_PRIO_QUIET] =
    RUN_SCOPE_PAGE_OF(RUN_QUIET, RUN_TEAM_K RUN_FLOOR_OF(RUN_QUIET, RUN_TEAM,
                                                         "$3::bigint + $4::bigint"),
                      RUN_ABOVE(RUN_QUIET, RUN_TEAM) " UNION ALL",
                      " AND NOT EXISTS (SELECT 1 FROM k)", "", RUN_LEARNED_STORED),
[Q_PIPELINE_TOP_QUIET] = RUN_TOP_PAGE(RUN_QUIET, "", RUN_LEARNED_STORED),
/* A manager's usual accounts list on a quiet day (0061): by revenue,
 * unfiltered, rows $3 from $4 within the run's first TOP_ROWS (51) of the
 * team whose users are the scope ($2, k as Q_FUNNEL_QUIET's), when no owner
 * of it changed for the accounts' sums ($1 empty) and none of the page's
 * accounts is marked changed: the rows as the run stored them, by one key
 * (Q_ACCOUNTS_REVENUE_OWNED took each owner's best from the run's index
 * and then every account by key: 0.6 ms a page at 1M, 0.2 so), and the
 * owners' names as they are.  Else no row, and the list asks
 * Q_ACCOUNTS_REVENUE_OWNED (fcgi/accounts.c). */
[Q_ACCOUNTS_REVENUE_TEAM] =
    "WITH" TEAM_OF_SCOPE("top_accounts")
    " x AS (SELECT x.* FROM crmx.team_top_account x WHERE x.run_id = " RUN
    "  AND x.team = (SELECT k.team FROM k) AND x.rank > $4::bigint"
    "  AND x.rank <= $4::bigint + $3::bigint AND $4::bigint + $3::bigint <= 51)"
    " SELECT x.account_id, x.name, x.region, x.city, u.name AS owner, x.abc_class,"
    " x.revenue_window, x.hist_ltv, x.ltv_pred, x.p_alive, x.segment, x.qual_grade,"
    " x.open_deals, to_char(x.last_activity, 'YYYY-MM-DD') AS last_activity"
    " FROM x LEFT JOIN (SELECT u.user_id, u.name FROM crmx_src.users u"
    "  WHERE u.user_id = ANY($2::bigint[])) u ON u.user_id = x.owner_id"
    " WHERE cardinality($1::bigint[]) = 0 AND NOT EXISTS (SELECT 1 FROM crmx.changed_account c"
    "  WHERE c.account_id IN (SELECT x.account_id FROM x))"
    " ORDER BY x.rank",
/* A rep's usual list the same way (0061): rows $3 from $4 within the
 * run's first TOP_ROWS of the scope's one owner ($2), when it did
 * not change for the accounts' sums ($1 empty) and none of the page's
 * accounts is marked changed (0.4 ms a page at 1M by owner, 0.2 so).
 * Else no row, and the list asks Q_ACCOUNTS_REVENUE_OWNED. */
[Q_ACCOUNTS_REVENUE_OWNER] =
    "WITH x AS (SELECT x.* FROM crmx.owner_top_account x JOIN crmx.run r ON r.run_id = x.run_id"
    "  AND r.top_accounts WHERE x.run_id = " RUN " AND x.owner_id = ($2::bigint[])[1]"
    "  AND cardinality($2::bigint[]) = 1 AND x.rank > $4::bigint"
    "  AND x.rank <= $4::bigint + $3::bigint AND $4::bigint + $3::bigint <= 51)"
    " SELECT x.account_id, x.name, x.region, x.city,"
    " (SELECT u.name FROM crmx_src.users u WHERE u.user_id = ($2::bigint[])[1]) AS owner,"
    " x.abc_class, x.revenue_window, x.hist_ltv, x.ltv_pred, x.p_alive, x.segment, x.qual_grade,"
    " x.open_deals, to_char(x.last_activity, 'YYYY-MM-DD') AS last_activity FROM x"
    " WHERE cardinality($1::bigint[]) = 0 AND NOT EXISTS (SELECT 1 FROM crmx.changed_account c"
    "  WHERE c.account_id IN (SELECT x.account_id FROM x))"
    " ORDER BY x.rank",
/* Q_REGIONS without the class and segment filters ($2, $3 NULL) from the
 * run's sums, as Q_FUNNEL_AGG ($5 the scope); the five largest precise
 * customers of a city from the unchanged owners' stored five (over
 * everyone: read in order from all of them, skipping changed owners) and
 * the changed owners' accounts now.  The accounts whose qualification
 * changed (CHANGED_ACCOUNTS) count precise as they are now and leave the
 * stored fives, coming back as they are now; an owner one of whose
 * stored five is no longer precise is read whole (ow), as a changed
 * owner, since the sixth may take its place. */
[Q_REGIONS_AGG] =
    "WITH ow AS MATERIALIZED (SELECT unnest($1::bigint[]) AS id"
    "  UNION SELECT x.owner_id FROM crmx.region_top x WHERE x.run_id = " RUN
    "  AND x.owner_id IS NOT NULL AND x.account_id = " CHANGED_ACCOUNTS
    "  AND NOT " PRECISE_NOW("x.account_id") "),"
    " s AS MATERIALIZED (" REGION_ROWS " WHERE a.owner_id = ANY(ARRAY(SELECT id FROM ow))"
    "  AND " IN_SCOPE("a.owner_id", "$5") REGION_FILTERS "),"
    " g AS (SELECT region, city, sum(n) AS n, sum(np) AS np, sum(na) AS na, sum(rev) AS rev,"
    "  sum(deals) AS deals FROM (SELECT x.region, x.city, x.accounts AS n, x.precise AS np,"
    "  x.a_class AS na, x.revenue AS rev, x.open_deals AS deals"
    "  FROM crmx.region_agg x"
    "  WHERE x.run_id = " RUN " AND x.whole AND $5::bigint[] IS NULL"
    "  AND ($4::text IS NULL OR x.region = $4)"
    "  UNION ALL SELECT x.region, x.city, -x.accounts, -x.precise, -x.a_class, -x.revenue,"
    "  -x.open_deals FROM crmx.region_agg x WHERE x.run_id = " RUN " AND NOT x.whole"
    "  AND x.owner_id = ANY(ARRAY(SELECT id FROM ow)) AND $5::bigint[] IS NULL"
    "  AND ($4::text IS NULL OR x.region = $4)"
    "  UNION ALL SELECT x.region, x.city, x.accounts, x.precise, x.a_class, x.revenue,"
    "  x.open_deals FROM crmx.region_agg x WHERE x.run_id = " RUN " AND NOT x.whole"
    "  AND x.owner_id = ANY($5::bigint[]) AND x.owner_id NOT IN (SELECT id FROM ow)"
    "  AND ($4::text IS NULL OR x.region = $4)"
    "  UNION ALL SELECT region, city, 1, precise::int, coalesce((abc_class = 'A')::int, 0),"
    "  coalesce(rev, 0), coalesce(open_deals, 0) FROM s"
    "  UNION ALL SELECT coalesce(a.region, ''), coalesce(a.city, ''), 0, " PRECISE_DELTA ", 0, 0, 0"
    "  FROM crmx_src.accounts a WHERE a.account_id = " CHANGED_ACCOUNTS
    "  AND a.owner_id NOT IN (SELECT id FROM ow) AND " IN_SCOPE("a.owner_id", "$5")
    "  AND ($4::text IS NULL OR coalesce(a.region, '') = $4)"
    "  ) u GROUP BY region, city HAVING sum(n) > 0),"
    " p AS (SELECT g.region, g.city, t.account_id, t.name, t.revenue AS rev FROM g"
    "  CROSS JOIN LATERAL (SELECT x.account_id, x.name, x.revenue FROM crmx.region_top x"
    "  WHERE $5::bigint[] IS NULL AND x.run_id = " RUN " AND x.region = g.region"
    "  AND x.city = g.city AND (x.owner_id IS NULL OR x.owner_id NOT IN (SELECT id FROM ow))"
    "  AND x.account_id NOT IN " CHANGED_ACCOUNTS_SET
    "  ORDER BY x.revenue DESC NULLS LAST, x.account_id LIMIT 5) t"
    "  UNION ALL SELECT x.region, x.city, x.account_id, x.name, x.revenue FROM crmx.region_top x"
    "  WHERE x.run_id = " RUN " AND x.owner_id = ANY($5::bigint[])"
    "  AND x.owner_id NOT IN (SELECT id FROM ow) AND x.account_id NOT IN " CHANGED_ACCOUNTS_SET
    "  AND ($4::text IS NULL OR x.region = $4)"
    "  UNION ALL SELECT region, city, account_id, name, rev FROM s WHERE precise"
    "  UNION ALL SELECT coalesce(a.region, ''), coalesce(a.city, ''), a.account_id, a.name,"
    "  m.revenue_window FROM crmx_src.accounts a LEFT JOIN " RUN_METRICS
    "  WHERE a.account_id = " CHANGED_ACCOUNTS " AND a.owner_id NOT IN (SELECT id FROM ow)"
    "  AND " IN_SCOPE("a.owner_id", "$5") " AND ($4::text IS NULL OR coalesce(a.region, '') = $4)"
    "  AND " PRECISE_NOW("a.account_id") ")," REGION_OUT,
[Q_ACCOUNTS_REVENUE_DEEP] = ACCOUNTS_SQL("m.revenue_window DESC NULLS LAST, a.account_id"),
[Q_ACCOUNTS_LTV_DEEP] = ACCOUNTS_SQL("m.ltv_pred DESC NULLS LAST, a.account_id"),
[Q_ACCOUNTS_ACTIVITY_DEEP] = ACCOUNTS_SQL("m.last_activity DESC NULLS LAST, a.account_id"),
[Q_ACCOUNTS_REVENUE_ALL] = ACCOUNTS_TOPN_F("m.revenue_window", ACCOUNTS_NO_FILTERS),
[Q_ACCOUNTS_LTV_ALL] = ACCOUNTS_TOPN_F("m.ltv_pred", ACCOUNTS_NO_FILTERS),
[Q_ACCOUNTS_ACTIVITY_ALL] = ACCOUNTS_TOPN_F("m.last_activity", ACCOUNTS_NO_FILTERS),
[Q_ACCOUNTS_REVENUE_WALK] = ACCOUNTS_WALK("revenue_window"),
[Q_ACCOUNTS_LTV_WALK] = ACCOUNTS_WALK("ltv_pred"),
[Q_ACCOUNTS_ACTIVITY_WALK] = ACCOUNTS_WALK("last_activity"),
[Q_ACCOUNTS_REVENUE_OWNED] = ACCOUNTS_OWNED("revenue_window"),
[Q_ACCOUNTS_LTV_OWNED] = ACCOUNTS_OWNED("ltv_pred"),
[Q_ACCOUNTS_ACTIVITY_OWNED] = ACCOUNTS_OWNED("last_activity"),
[Q_ACCOUNTS_NAME_OWNED] = ACCOUNTS_OWNED_NAME(""),
[Q_ACCOUNTS_NAME_ZH_OWNED] = ACCOUNTS_OWNED_NAME(" COLLATE \"zh-x-icu\""),
};

static char failed_state[6];

const char *
query_failed_state(void)
{
	return failed_state;
}

/* The latest run's id for RUN, as read on conn in this request. */
static struct {
	PGconn	*conn;		/* NULL: not read in this request */
	int	 none;		/* no run yet */
	char	 id[24];
} latest;

void
query_begin_request(void)
{
	failed_state[0] = '\0';
	latest.conn = NULL;
}

void
query_note_run(PGconn *conn, const char *run_id)
{
	latest.conn = conn;
	latest.none = run_id == NULL;
	snprintf(latest.id, sizeof latest.id, "%s", run_id != NULL ? run_id : "");
}

void
query_note_failure(const PGresult *res)
{
	const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	snprintf(failed_state, sizeof failed_state, "%s", st ? st : "");
}

/* The parameter a scope marker at m ("{{scope:" or "{{scope<N>:", auth.h)
 * names, 1..9; *col set to its column. */
static int
marker_param(const char *m, const char **col)
{
	const char *p = m + 7;	/* after "{{scope" */
	int n = 1;
	if (*p >= '2' && *p <= '9')
		n = *p++ - '0';
	if (*p != ':')
		abort();	/* a malformed marker in the table above */
	*col = p + 1;
	return n;
}

/* The end ("}}") of the marker whose text begins at COL: the first "}}"
 * not closing a "{{run}}" within it (OWN_ONLY, ALL_ONLY may hold RUN);
 * NULL: unclosed. */
static const char *
marker_end(const char *col)
{
	const char *end = strstr(col, "}}"), *in;
	while (end != NULL && (in = strstr(col, RUN)) != NULL && in < end) {
		col = in + strlen(RUN);
		end = strstr(col, "}}");
	}
	return end;
}

/* Statement text with each scope marker replaced by `col = ANY($N)`
 * (own) or, for those who see all, `true` ($1) or `$N IS NULL` (another
 * parameter: referenced, so that it keeps its place and type); the text
 * of each "{{own:TEXT}}" kept in the own variant only, of each
 * "{{all:TEXT}}" in the other only (OWN_ONLY, ALL_ONLY).  Grown in an
 * sbuf (the text has no bound); the caller frees it. */
static char *
scoped_text(const char *text, int own)
{
	struct sbuf out;
	const char *p = text, *m;
	sb_init(&out);
	while ((m = strstr(p, "{{")) != NULL) {
		const char *col = NULL, *end;
		int n = 0, keep = -1;
		if (strncmp(m, "{{scope", 7) == 0)
			n = marker_param(m, &col);
		else if (strncmp(m, OWN_MARK, strlen(OWN_MARK)) == 0)
			keep = own, col = m + strlen(OWN_MARK);
		else if (strncmp(m, ALL_MARK, strlen(ALL_MARK)) == 0)
			keep = !own, col = m + strlen(ALL_MARK);
		else {		/* another's ({{run}}): kept for variant_text */
			sb_rawn(&out, p, (size_t)(m + 2 - p));
			p = m + 2;
			continue;
		}
		if ((end = marker_end(col)) == NULL)
			abort();	/* an unclosed marker in the table above */
		sb_rawn(&out, p, (size_t)(m - p));
		if (keep >= 0) {
			if (keep)
				sb_rawn(&out, col, (size_t)(end - col));
		} else if (own) {
			sb_raw(&out, "(");
			sb_rawn(&out, col, (size_t)(end - col));
			sb_printf(&out, " = ANY($%d::bigint[]))", n);
		} else if (n == 1) {
			sb_raw(&out, "true");
		} else {
			sb_printf(&out, "($%d::bigint[] IS NULL)", n);
		}
		p = end + 2;
	}
	sb_raw(&out, p);
	return out.s;
}

/* The parameter holding a statement's scope, 1..9, or 0: none (no scope
 * marker); worked out once per process (the table is constant), not on
 * every request. */
static int
scope_param(enum query q)
{
	static signed char known[Q__MAX];	/* 0: not yet, -1: none, else $N */
	if (known[q] == 0) {
		const char *m = strstr(sql[q], "{{scope"), *col;
		known[q] = m != NULL ? (signed char)marker_param(m, &col) : -1;
	}
	return known[q] > 0 ? known[q] : 0;
}

static int
scoped(enum query q)
{
	return scope_param(q) != 0;
}

/* The parameter holding the latest run's id in q (RUN): its highest
 * parameter, $n or a scope marker's, + 1; 0: none.  Worked out once. */
static int
run_param(enum query q)
{
	static signed char known[Q__MAX];	/* 0: not yet, -1: none, else $N */
	if (known[q] == 0) {
		int top = 0;
		for (const char *p = sql[q]; (p = strpbrk(p, "${")) != NULL; p++) {
			const char *col;
			int n = 0;
			if (*p == '$')
				n = (int)strtol(p + 1, NULL, 10);
			else if (strncmp(p, "{{scope", 7) == 0)
				n = marker_param(p, &col);
			if (n > top)
				top = n;
		}
		known[q] = strstr(sql[q], RUN) != NULL ? (signed char)(top + 1) : -1;
	}
	return known[q] > 0 ? known[q] : 0;
}

/* Whether a run of q takes the variant for a set of owners: its scope
 * parameter is not NULL. */
static int
run_own(enum query q, int nparams, const char *const *params)
{
	int n = scope_param(q);
	return n != 0 && n <= nparams && params[n - 1] != NULL;
}

static void
stmt_name(char *buf, size_t len, enum query q, int own)
{
	snprintf(buf, len, "crmx_%d%s", (int)q, own ? "o" : "");
}

/* What to prepare instead where a statement needs something the server may
 * lack (ICU collations): the same result in the database's own order. */
static const char *const fallback[Q__MAX] = {
[Q_ACCOUNTS_NAME_ZH] = ACCOUNTS_SQL("a.name, a.account_id"),
[Q_ACCOUNTS_NAME_ZH_OWNED] = ACCOUNTS_OWNED_NAME(""),
};

/* Lists with optional filters ("$5 IS NULL OR region = $5") or a search
 * term are planned for each request with the values in hand: one plan for
 * all values misjudges how many rows they keep (82 of a million) and
 * loops where it should hash (the executive's page of open deals: 3 req/s
 * with one plan, 14 with its own).  Their planning costs little next to
 * their run.  Not the lists by owner and figure (ACCOUNTS_OWNED): each
 * owner's walk of its index is the plan for any values, and planning it
 * (5 ms, a partition's indexes each) cost five times its run; but by
 * name (ACCOUNTS_OWNED_NAME), where one plan for all values sorted every
 * account of each owner (a team of seven: 130 ms, planned with the
 * values 1 + 5 ms).  The team view's sums over everyone (Q_TEAM_AGG):
 * with the stall days a parameter, one plan found the open deals whose
 * stage began within them by reading every open deal (34 ms at 1M); with
 * them a setting the plan sees (STALL_DAYS) one plan takes 18-28 ms, and
 * planned per request (4-5 ms) 23: at 64 connections, 45-49 req/s one
 * plan, 52 planned.  A manager's team has its own variant (SCOPE_AT),
 * prepared once: with STALL_DAYS its one plan doubled the page's rate.
 * The pipeline's page
 * without a search (Q_PIPELINE_PAGE, Q_PIPELINE_TOP) has no such values:
 * one plan serves, and planning it cost a rep's page as much as running
 * it. */
static int
planned_per_request(enum query q, int own)
{
	if (q == Q_TEAM_AGG)
		return !own;
	switch (q) {
	case Q_ACCOUNTS_REVENUE: case Q_ACCOUNTS_LTV: case Q_ACCOUNTS_NAME:
	case Q_ACCOUNTS_ACTIVITY: case Q_ACCOUNTS_NAME_ZH: case Q_ACCOUNTS_COUNT:
	case Q_REGIONS: case Q_ACCOUNTS_REVENUE_DEEP: case Q_ACCOUNTS_LTV_DEEP:
	case Q_ACCOUNTS_ACTIVITY_DEEP: case Q_ACCOUNTS_REVENUE_WALK:
	case Q_ACCOUNTS_LTV_WALK: case Q_ACCOUNTS_ACTIVITY_WALK:
	case Q_PIPELINE_DEALS: case Q_PIPELINE_COUNT:
	case Q_ACCOUNTS_NAME_OWNED: case Q_ACCOUNTS_NAME_ZH_OWNED:
		return 1;
	default:
		return 0;
	}
}

/* The text of a statement run per request (scope variant own or all),
 * made once per process. */
static int fell_back[Q__MAX];	/* the server lacked what sql[q] needs */

/* The text of q's variant own from src (sql[q] or fallback[q]): the
 * scope markers resolved; the caller frees it. */
static char *
variant_text(enum query q, const char *src, int own)
{
	char *text = scoped(q) ? scoped_text(src, own) : xstrdup(src);
	int n = run_param(q);
	if (n == 0)
		return text;
	struct sbuf out;
	const char *p = text, *m;
	sb_init(&out);
	while ((m = strstr(p, RUN)) != NULL) {
		sb_rawn(&out, p, (size_t)(m - p));
		sb_printf(&out, "$%d::bigint", n);
		p = m + strlen(RUN);
	}
	sb_raw(&out, p);
	free(text);
	return out.s;
}

static const char *
request_text(enum query q, int own)
{
	static char *texts[Q__MAX][2];
	if (texts[q][own] == NULL)
		texts[q][own] = variant_text(q, fell_back[q] ? fallback[q] : sql[q], own);
	return texts[q][own];
}

int
queries_prepare(PGconn *conn, const char *timezone, int stall_days)
{
	if (timezone != NULL && *timezone != '\0') {
		const char *tz[1] = { timezone };
		PGresult *r = PQexecParams(conn, "SELECT set_config('TimeZone', $1, false)", 1, NULL,
		                           tz, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			log_warn("time zone \"%s\": %s; times are shown in the server's", timezone,
			         db_errmsg(conn));
		PQclear(r);
	}
	/* The prepared statements settle on one plan for all executions (the
	 * scope is a parameter of the same shape for everyone, so PostgreSQL's
	 * generic plan is as good as a custom one and re-planning per request
	 * would cost more than running the query); the lists run unnamed and
	 * get a plan for their values.  Panel statements are short: starting
	 * parallel workers for them costs more than it saves. */
	PGresult *res = PQexec(conn, "SET max_parallel_workers_per_gather = 0");
	PQclear(res);
	/* Settled for good: left to choose, PostgreSQL kept re-planning the
	 * regions sums (2.5 ms of planning for 0.5 ms of work, every time). */
	res = PQexec(conn, "SET plan_cache_mode = force_generic_plan");
	PQclear(res);
	/* Nor compiling them: a page whose plan costs more than jit_above_cost
	 * (an executive's at a million accounts) spent about 100 ms in LLVM on
	 * every read, for a few ms of work; a generic plan's estimate (a LIMIT
	 * taken as a tenth of the rows) put the pipeline's top deals (3 ms)
	 * over it too, and compiling took 28 ms. */
	res = PQexec(conn, "SET jit = off");
	PQclear(res);
	/* STALL_DAYS */
	char stall[16];
	snprintf(stall, sizeof stall, "%d", stall_days);
	const char *sd[1] = { stall };
	res = PQexecParams(conn, "SELECT set_config('crmx.stall_days', $1, false)", 1, NULL, sd,
	                   NULL, NULL, 0);
	int set = PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	if (!set) {
		log_error("setting the stall days: %s", db_errmsg(conn));
		return -1;
	}
	for (int i = 0; i < Q__MAX; i++) {
		/* Scoped statements: $1 the owners, typed (it may be NULL). */
		static const Oid types[1] = { 1016 /* int8[] */ };
		int ntypes = scoped((enum query)i) ? 1 : 0;
		for (int own = 0; own <= ntypes; own++) {
			char name[16], *text = variant_text((enum query)i, sql[i], own);
			stmt_name(name, sizeof name, (enum query)i, own);
			/* within the reply timeout, as every statement */
			res = PQsendPrepare(conn, name, text, ntypes, ntypes ? types : NULL) ?
			    db_exec_result(conn) : NULL;
			int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
			PQclear(res);
			if (!ok && fallback[i] != NULL) {
				log_warn("panel statement %d: %s; using the database's collation",
				         i, db_errmsg(conn));
				free(text);
				text = variant_text((enum query)i, fallback[i], own);
				res = PQsendPrepare(conn, name, text, ntypes, ntypes ? types : NULL) ?
				    db_exec_result(conn) : NULL;
				ok = PQresultStatus(res) == PGRES_COMMAND_OK;
				PQclear(res);
				fell_back[i] = ok;
			}
			free(text);
			if (!ok) {
				log_error("preparing panel statement %d: %s", i, db_errmsg(conn));
				return -1;
			}
		}
	}
	return 0;
}

void
queries_print(FILE *out)
{
	for (int i = 0; i < Q__MAX; i++) {
		for (int own = 0; own <= scoped((enum query)i); own++) {
			char name[16], *text = variant_text((enum query)i, sql[i], own);
			stmt_name(name, sizeof name, (enum query)i, own);
			fprintf(out, "-- %s%s\n%s;\n\n", name,
			        planned_per_request((enum query)i, own) ? " (planned per request)" : "",
			        text);
			free(text);
		}
	}
}

/* Reads the results of n statements sent in one pipeline with its sync:
 * each statement's first result into out[i] (whatever its status; the
 * rest of that statement drained), then up to the sync, and leaves
 * pipeline mode.  Every result must be read before leaving, even after
 * an error (the statements after it come back aborted).  -1 when the
 * connection is gone (out[] NULL from there) or the pipeline cannot be
 * left; the caller clears out[] in every case. */
static int
pipeline_read(PGconn *conn, int n, PGresult **out)
{
	int ok = 1;
	for (int i = 0; i < n; i++)
		out[i] = NULL;
	for (int i = 0; ok && i < n; i++) {
		PGresult *res = db_get_result(conn);
		if (res == NULL) {	/* the connection is gone: not an empty result */
			ok = 0;
			break;
		}
		out[i] = res;
		while ((res = db_get_result(conn)) != NULL)	/* end of this statement */
			PQclear(res);
	}
	PGresult *res = NULL;
	while (ok && (res = db_get_result(conn)) != NULL &&
	       PQresultStatus(res) != PGRES_PIPELINE_SYNC)
		PQclear(res);
	PQclear(res);
	if (PQexitPipelineMode(conn) != 1)
		ok = 0;
	return ok ? 0 : -1;
}

/* Sends a list's statement (planned_per_request) unnamed, planned for its
 * values: the session keeps generic plans, so its transaction asks for a
 * custom one first (one round trip, a pipeline).  Its result, or NULL. */
static PGresult *
run_custom(PGconn *conn, enum query q, int own, int nparams, const char *const *params)
{
	static const char sql_custom[] =
	    "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)";
	Oid types[QUERY_MAX_PARAMS] = { 1016 /* int8[] */ };	/* the rest: inferred */
	PGresult *r[2];
	if (PQenterPipelineMode(conn) != 1)
		return NULL;
	if (PQsendQueryParams(conn, sql_custom, 0, NULL, NULL, NULL, NULL, 0) != 1 ||
	    PQsendQueryParams(conn, request_text(q, own), nparams,
	                      scoped(q) ? types : NULL, params, NULL, NULL, 0) != 1 ||
	    PQpipelineSync(conn) != 1) {
		PQexitPipelineMode(conn);
		return NULL;
	}
	if (pipeline_read(conn, 2, r) != 0) {
		PQclear(r[0]);
		PQclear(r[1]);
		return NULL;
	}
	/* the statement's result, or the first error */
	int first = PQresultStatus(r[0]) != PGRES_TUPLES_OK;
	PQclear(r[first ? 1 : 0]);
	return r[first ? 0 : 1];
}

/* The latest run's id on conn, when q reads it (RUN) and nothing in this
 * request read it yet (Q_VIEWER, Q_PANEL_AGG): 0, or -1 (the database
 * failed). */
static int
latest_read(PGconn *conn, enum query q)
{
	if (run_param(q) == 0 || latest.conn == conn)
		return 0;
	PGresult *res = query_run(conn, Q_LATEST_RUN, 0, NULL);
	if (res == NULL)
		return -1;
	query_note_run(conn, PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : NULL);
	PQclear(res);
	return 0;
}

/* params, and after them the run's id latest_read read when q reads it
 * (RUN), in with[] (QUERY_MAX_PARAMS); the count, or -1 when the
 * caller's count does not fit the statement (logged). */
static int
with_run(enum query q, int nparams, const char *const *params, const char **with)
{
	int n = run_param(q), total = n != 0 ? n : nparams;
	if ((n != 0 && n != nparams + 1) || total > QUERY_MAX_PARAMS) {
		log_error("panel statement %d: %d parameters given, its run is $%d", (int)q, nparams, n);
		return -1;
	}
	for (int i = 0; i < nparams; i++)	/* params NULL when none */
		with[i] = params[i];
	if (n != 0)
		with[nparams] = latest.none ? NULL : latest.id;
	return total;
}

PGresult *
query_run(PGconn *conn, enum query q, int nparams, const char *const *params)
{
	char name[16];
	const char *with[QUERY_MAX_PARAMS];
	int own = run_own(q, nparams, params);
	failed_state[0] = '\0';
	if (latest_read(conn, q) != 0 || (nparams = with_run(q, nparams, params, with)) < 0)
		return NULL;
	params = with;
	stmt_name(name, sizeof name, q, own);
	PGresult *res;
	/* Sent, then waited for within the reply timeout (a stalled server). */
	if (planned_per_request(q, own))
		res = run_custom(conn, q, own, nparams, params);
	else
		res = PQsendQueryPrepared(conn, name, nparams, params, NULL, NULL, 0) ?
		    db_exec_result(conn) : NULL;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_error("panel statement %d failed: %s", (int)q, db_errmsg(conn));
		query_note_failure(res);
		PQclear(res);
		return NULL;
	}
	return res;
}

/* The calls one at a time (query_run_calls); out[] as there. */
static int
run_each(PGconn *conn, const struct query_call *calls, int n, PGresult **out)
{
	for (int k = 0; k < n; k++)
		if ((out[k] = query_run(conn, calls[k].q, calls[k].nparams, calls[k].params)) == NULL) {
			for (int j = 0; j < k; j++) {
				PQclear(out[j]);
				out[j] = NULL;
			}
			return -1;
		}
	return 0;
}

int
query_run_calls(PGconn *conn, const struct query_call *calls, int n, PGresult **out)
{
	const char *with[QUERY_MAX_PARAMS];
	failed_state[0] = '\0';
	for (int i = 0; i < n; i++)
		out[i] = NULL;
	/* the run's id read before the pipeline starts; a statement planned
	 * for its values is a pipeline of its own (run_custom: an
	 * executive's team view as JSON, Q_TEAM_AGG over everyone): then
	 * the calls one after the other */
	for (int i = 0; i < n; i++) {
		if (planned_per_request(calls[i].q, run_own(calls[i].q, calls[i].nparams,
		                                            calls[i].params)))
			return run_each(conn, calls, n, out);
		if (latest_read(conn, calls[i].q) != 0)
			return -1;
	}
	int ok = PQenterPipelineMode(conn) == 1, sent = 0;
	for (; ok && sent < n; sent++) {
		char name[16];
		const struct query_call *q = &calls[sent];
		int k = with_run(q->q, q->nparams, q->params, with);
		if (k < 0) {	/* not sent: none of its results to read */
			ok = 0;
			break;
		}
		stmt_name(name, sizeof name, q->q, run_own(q->q, q->nparams, q->params));
		ok = PQsendQueryPrepared(conn, name, k, with, NULL, NULL, 0) == 1;
	}
	if (PQpipelineStatus(conn) == PQ_PIPELINE_OFF)
		goto fail;
	if (PQpipelineSync(conn) != 1)
		ok = 0;
	if (pipeline_read(conn, sent, out) != 0)
		ok = 0;
	for (int i = 0; i < sent && out[i] != NULL; i++) {
		if (PQresultStatus(out[i]) == PGRES_TUPLES_OK)
			continue;
		if (ok) {
			log_error("panel statement %d failed: %s", (int)calls[i].q, db_errmsg(conn));
			query_note_failure(out[i]);
		}
		ok = 0;
	}
	if (ok)
		return 0;
fail:
	if (sent == 0 || ok)
		log_error("panel statements: %s", db_errmsg(conn));
	for (int i = 0; i < n; i++) {
		PQclear(out[i]);
		out[i] = NULL;
	}
	return -1;
}
