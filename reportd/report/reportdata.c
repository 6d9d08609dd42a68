/* The report's data access: every query of the weekly report, each with
 * $n parameters only.  "A week before" is the newest complete run at least
 * 7 days older (else the newest older one), so a report compares with the
 * previous weekly run even when runs were made in between. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "i18n.h"
#include "reportdata.h"
#include "util.h"

#define OWNER_JOIN " LEFT JOIN crmx_src.users u ON u.user_id = a.owner_id"

/* Who a row is about: leading columns shared by the tables. */
#define ACCOUNT_COLS \
	{ "account_id", N_("Id"), COL_ID }, \
	{ "account", N_("Account"), COL_TEXT }, \
	{ "owner", N_("Owner"), COL_TEXT }

static const struct rcol top_revenue_cols[] = {
	ACCOUNT_COLS,
	{ "revenue_window", N_("Revenue, 12 months"), COL_MONEY },
	{ "abc_class", N_("Class"), COL_TEXT },
	{ "ltv_pred", N_("Predicted LTV"), COL_MONEY },
};
static const struct rcol top_ltv_cols[] = {
	ACCOUNT_COLS,
	{ "ltv_pred", N_("Predicted LTV"), COL_MONEY },
	{ "p_alive", N_("P(alive)"), COL_PCT },
	{ "revenue_window", N_("Revenue, 12 months"), COL_MONEY },
};
static const struct rcol at_risk_cols[] = {
	ACCOUNT_COLS,
	{ "change", N_("Change"), COL_CODE },
	{ "p_alive_before", N_("P(alive) a week ago"), COL_PCT },
	{ "p_alive_now", N_("P(alive) now"), COL_PCT },
	{ "hist_ltv", N_("Historical value"), COL_MONEY },	/* margin or revenue */
};
/* Open deals: the stalled table has one column more than the one of deals
 * without a decision maker. */
static const struct rcol deal_cols[] = {
	{ "opportunity_id", N_("Id"), COL_ID },
	{ "deal", N_("Deal"), COL_TEXT },
	{ "account", N_("Account"), COL_TEXT },
	{ "owner", N_("Owner"), COL_TEXT },
	{ "stage", N_("Stage"), COL_STAGE },
	{ "amount", N_("Amount"), COL_MONEY },
	{ "days_in_stage", N_("Days in stage"), COL_DAYS },
};
static const struct rcol accuracy_cols[] = {
	{ "owner", N_("Owner"), COL_TEXT },
	{ "team", N_("Team"), COL_TEXT },
	{ "months", N_("Months with a forecast"), COL_INT },
	{ "by_month", N_("Won / forecast, by month"), COL_TEXT },
	{ "mape", N_("Mean absolute error"), COL_PCT },
};

static const struct rcol funnel_cols[] = {
	{ "stage_rank", N_("Layer"), COL_INT },
	{ "stage", N_("Stage"), COL_STAGE },
	{ "reached", N_("Reached in 12 months"), COL_INT },
	{ "conversion_next", N_("On to the next stage"), COL_PCT0 },
	{ "median_days_in_stage", N_("Median days in stage"), COL_DAYS },
};
static const struct rcol win_source_cols[] = {
	{ "source", N_("Source"), COL_SOURCE },
	{ "won", N_("Won deals"), COL_INT },
	{ "lost", N_("Lost deals"), COL_INT },
	{ "win_rate", N_("Win rate"), COL_PCT },
};
static const struct rcol lost_reason_cols[] = {
	{ "lost_reason", N_("Lost reason"), COL_LOST_REASON },
	{ "deals", N_("Lost deals"), COL_INT },
	{ "amount", N_("Amount"), COL_MONEY },
};

#define COLS(c) c, (int)(sizeof c / sizeof c[0])

/* The accounts of a run's metrics, and open deals, with names. */
#define ACCOUNT_SELECT "SELECT m.account_id, a.name AS account, u.name AS owner,"
#define ACCOUNT_FROM \
    "  FROM crmx.account_metrics m JOIN crmx_src.accounts a USING (account_id)" OWNER_JOIN
/* The 15 accounts of a run with the most `by` (a column of
 * account_metrics) among those where `by` meets `cond`. */
#define TOP_ACCOUNTS(cols, by, cond) \
    ACCOUNT_SELECT " " cols ", count(*) OVER () AS total_rows" ACCOUNT_FROM \
    " WHERE m.run_id = $1 AND m." by " " cond \
    " ORDER BY m." by " DESC, m.account_id LIMIT 15"
#define DEAL_SELECT \
    "SELECT o.opportunity_id, o.name AS deal, a.name AS account, u.name AS owner, o.stage," \
    "       o.amount,"
#define OPEN_DEALS \
    "  FROM crmx_src.opportunities o JOIN crmx_src.accounts a USING (account_id)" \
    "  LEFT JOIN crmx_src.users u ON u.user_id = o.owner_id" \
    " WHERE o.outcome = 'open'"
#define DEAL_ORDER " ORDER BY o.amount DESC NULLS LAST, o.opportunity_id LIMIT 20"

const struct rtable_def rtable_defs[T__MAX] = {
	[T_TOP_REVENUE] = { "top_accounts_revenue", N_("Top accounts by revenue"),
	    N_("The accounts that brought the most net revenue in the last 12 months."),
	    TOP_ACCOUNTS("m.revenue_window, m.abc_class, m.ltv_pred", "revenue_window", "> 0"), 15, COLS(top_revenue_cols) },
	[T_TOP_LTV] = { "top_accounts_ltv", N_("Top accounts by predicted lifetime value"),
	    N_("Expected discounted revenue over the forecast horizon (BG/NBD and Gamma-Gamma)."),
	    TOP_ACCOUNTS("m.ltv_pred, m.p_alive, m.revenue_window", "ltv_pred", "IS NOT NULL"), 15, COLS(top_ltv_cols) },
	[T_AT_RISK] = { "accounts_at_risk", N_("Accounts newly lapsed or at risk"),
	    /* xgettext:no-c-format */
	    N_("Active a week ago and lapsed now, or P(alive) fell by 10 points or more to under 50%."),
	    ACCOUNT_SELECT
	    "       CASE WHEN p.segment = 'active' AND m.segment = 'lapsed' THEN 'lapsed'"
	    "            ELSE 'at_risk' END AS change,"
	    "       p.p_alive AS p_alive_before, m.p_alive AS p_alive_now, m.hist_ltv,"
	    "       count(*) OVER () AS total_rows"
	    "  FROM crmx.account_metrics m"
	    "  JOIN crmx.account_metrics p ON p.run_id = $2 AND p.account_id = m.account_id"
	    "  JOIN crmx_src.accounts a ON a.account_id = m.account_id" OWNER_JOIN
	    " WHERE m.run_id = $1"
	    "   AND ((p.segment = 'active' AND m.segment = 'lapsed')"
	    "        OR (m.p_alive < 0.5 AND p.p_alive - m.p_alive >= 0.1))"
	    " ORDER BY m.hist_ltv DESC NULLS LAST, m.account_id LIMIT 20",
	    20, COLS(at_risk_cols) },
	[T_STALLED] = { "stalled_deals", N_("Stalled deals"),
	    N_("Open deals that have not changed stage for longer than the stall limit."),
	    DEAL_SELECT
	    "       $3::date - (coalesce(o.stage_entered_at, o.created_at) AT TIME ZONE 'UTC')::date"
	    "         AS days_in_stage,"
	    "       count(*) OVER () AS total_rows" OPEN_DEALS
	    "   AND $3::date - (coalesce(o.stage_entered_at, o.created_at) AT TIME ZONE 'UTC')::date > $4"
	    DEAL_ORDER,
	    20, COLS(deal_cols) },
	[T_NO_DM] = { "deals_without_decision_maker", N_("Deals without a known decision maker"),
	    N_("Open deals whose account has no contact recorded as the decision maker."),
	    DEAL_SELECT " count(*) OVER () AS total_rows" OPEN_DEALS
	    "   AND NOT EXISTS (SELECT 1 FROM crmx_src.contacts c"
	    "        WHERE c.account_id = o.account_id AND c.purchase_role = 'decision_maker')"
	    DEAL_ORDER,
	    20, deal_cols, 6 },	/* without days in stage */
	/* As the panels' team view (fcgi/queries.c, Q_FORECAST_ACCURACY): the
	 * 6 months before the run's as-of month (that month too when as_of is
	 * its last day), each against the last complete run before it. */
	[T_FORECAST_ACCURACY] = { "forecast_accuracy", N_("Forecast accuracy per rep"),
	    /* xgettext:no-c-format */
	    N_("Won in each closed month divided by the weighted forecast for it that the last run"
	       " before the month recorded (months no earlier run covers are left out); the error"
	       " is the mean absolute difference from 100%, smallest first."),
	    "WITH mo AS (SELECT (date_trunc('month', $3::date + 1) - make_interval(months => k))::date"
	    "              AS m FROM generate_series(1, 6) k),"
	    "     r AS (SELECT mo.m, (SELECT x.run_id FROM crmx.run x WHERE x.status = 'ok'"
	    "              AND x.as_of < mo.m ORDER BY x.as_of DESC, x.run_id DESC LIMIT 1) AS run_id"
	    "            FROM mo),"
	    "     a AS (SELECT om.owner_id, r.m, coalesce(f.weighted, 0) AS forecast,"
	    "             (SELECT coalesce(sum(o.amount), 0) FROM crmx_src.opportunities o"
	    "               WHERE o.owner_id = om.owner_id AND o.outcome = 'won' AND o.closed_at >= r.m"
	    "                 AND o.closed_at < r.m + interval '1 month') AS won"
	    "            FROM crmx.owner_metrics om CROSS JOIN r"
	    "            LEFT JOIN crmx.forecast f ON f.run_id = r.run_id"
	    "             AND f.owner_id = om.owner_id AND f.period_start = r.m"
	    "           WHERE om.run_id = $1 AND r.run_id IS NOT NULL)"
	    "SELECT coalesce(u.name, a.owner_id::text) AS owner, u.team,"
	    "       count(*) FILTER (WHERE a.forecast > 0) AS months,"
	    "       string_agg(to_char(a.m, 'YYYY-MM') || ' ' || coalesce(round(100 * a.won"
	    "         / nullif(a.forecast, 0))::text || '%', '\xE2\x80\x94'), ' \xC2\xB7 '"
	    "         ORDER BY a.m) AS by_month,"
	    "       avg(abs(a.won / nullif(a.forecast, 0) - 1)) AS mape,"
	    "       count(*) OVER () AS total_rows"
	    "  FROM a LEFT JOIN crmx_src.users u ON u.user_id = a.owner_id"
	    " GROUP BY a.owner_id, u.name, u.team HAVING bool_or(a.forecast > 0 OR a.won > 0)"
	    " ORDER BY avg(abs(a.won / nullif(a.forecast, 0) - 1)) NULLS LAST, a.owner_id LIMIT 50",
	    50, COLS(accuracy_cols) },
	[T_FUNNEL] = { "funnel", N_("Funnel by stage"),
	    N_("On to the next stage: of the deals created in the 12 months that reached a stage "
	       "and have left it or are closed, the share that reached the next stage (deals still "
	       "in the stage are not counted yet); the panels' pipeline shows the same figure. "
	       "Median days in stage: stays that ended in the 12 months."),
	    "SELECT f.stage_rank, s.stage, f.reached, f.conversion_next, f.median_days_in_stage,"
	    "       count(*) OVER () AS total_rows"
	    "  FROM crmx.funnel_metrics f"
	    "  LEFT JOIN (SELECT DISTINCT ON (stage_rank) stage_rank, stage FROM crmx_src.stages"
	    "              WHERE NOT is_won AND NOT is_lost ORDER BY stage_rank, stage) s"
	    "    USING (stage_rank)"
	    " WHERE f.run_id = $1 ORDER BY f.stage_rank",
	    5, COLS(funnel_cols) },
	[T_WIN_SOURCE] = { "win_rate_by_source", N_("Win rate by source"),
	    N_("Won / (won + lost) of the deals closed in the 12 months, by lead source."),
	    "SELECT w.key AS source, w.won, w.lost, w.win_rate, count(*) OVER () AS total_rows"
	    "  FROM crmx.win_rate w WHERE w.run_id = $1 AND w.dimension = 'source'"
	    " ORDER BY w.won + w.lost DESC, w.key LIMIT 20",
	    20, COLS(win_source_cols) },
	[T_LOST_REASONS] = { "lost_reasons", N_("Lost reasons"),
	    N_("Deals lost in the 12 months, by the reason recorded: how many and how much."),
	    "SELECT o.lost_reason, count(*) AS deals, coalesce(sum(o.amount), 0) AS amount,"
	    "       count(*) OVER () AS total_rows"
	    "  FROM crmx_src.opportunities o"
	    " WHERE o.outcome = 'lost'"
	    "   AND o.closed_at >= (SELECT r.window_start FROM crmx.run r WHERE r.run_id = $1)"
	    "   AND o.closed_at < $3::date + 1"
	    " GROUP BY o.lost_reason"
	    " ORDER BY count(*) DESC, sum(o.amount) DESC NULLS LAST, o.lost_reason LIMIT 20",
	    20, COLS(lost_reason_cols) },
};

/* Chart series.  Owners: the 25 largest, with the cumulative share over
 * all of them. */
static const char sql_lorenz[] =
    "SELECT x, y FROM crmx.lorenz WHERE run_id = $1 AND scope = 'accounts' ORDER BY i";
static const char sql_owners[] =
    "SELECT coalesce(u.name, o.owner_id::text) AS name, o.revenue,"
    "       o.revenue / nullif(sum(o.revenue) OVER (), 0) AS share,"
    "       sum(o.revenue) OVER (ORDER BY o.revenue DESC, o.owner_id)"
    "         / nullif(sum(o.revenue) OVER (), 0) AS cum_share"
    "  FROM crmx.owner_metrics o LEFT JOIN crmx_src.users u ON u.user_id = o.owner_id"
    " WHERE o.run_id = $1 AND o.revenue > 0 ORDER BY o.revenue DESC, o.owner_id LIMIT 25";
static const char sql_funnel[] =
    "SELECT f.stage_rank, s.stage, f.reached, f.reached_amount, f.conversion_next"
    "  FROM crmx.funnel_metrics f"
    "  LEFT JOIN (SELECT DISTINCT ON (stage_rank) stage_rank, stage FROM crmx_src.stages"
    "              WHERE NOT is_won AND NOT is_lost ORDER BY stage_rank, stage) s USING (stage_rank)"
    " WHERE f.run_id = $1 ORDER BY f.stage_rank";
/* The 25 owners with the most closed deals, best first (more bars do not
 * read). */
static const char sql_win_owner[] =
    "SELECT * FROM (SELECT coalesce(u.name, w.key) AS name, w.won, w.lost, w.win_rate, w.key"
    "  FROM crmx.win_rate w LEFT JOIN crmx_src.users u ON u.user_id::text = w.key"
    " WHERE w.run_id = $1 AND w.dimension = 'owner' AND w.win_rate IS NOT NULL"
    " ORDER BY w.won + w.lost DESC, w.key LIMIT 25) x ORDER BY win_rate DESC, key";
/* Six cohorts of the last year, every other month, with at least three
 * months of history: enough lines to compare, few enough to read. */
static const char sql_cohorts[] =
    "WITH c AS (SELECT DISTINCT cohort FROM crmx.cohort_curve"
    "            WHERE run_id = $1 AND cohort <= $3::date - interval '3 months'"
    "            ORDER BY cohort DESC LIMIT 12),"
    "     pick AS (SELECT cohort FROM (SELECT cohort, row_number() OVER (ORDER BY cohort DESC) AS n"
    "                                  FROM c) x WHERE n % 2 = 1)"
    "SELECT to_char(k.cohort, 'YYYY-MM') AS cohort, k.k, k.size, k.cum_revenue_per_acct"
    "  FROM crmx.cohort_curve k JOIN pick USING (cohort)"
    " WHERE k.run_id = $1 ORDER BY k.cohort, k.k";
/* Weighted forecast against won amount for each of the 12 weeks ending at
 * as_of.  The forecast of a week is rebuilt from the stage history: deals
 * open at the start of the week and expected to close in it, weighted by
 * the probability of the rank they were in then. */
static const char sql_forecast[] =
    "WITH weeks AS (SELECT ($3::date - 7 * (11 - i) - 6) AS ws FROM generate_series(0, 11) i),"
    "     prob AS (SELECT DISTINCT ON (stage_rank) stage_rank, probability FROM crmx_src.stages"
    "               WHERE NOT is_won AND NOT is_lost ORDER BY stage_rank, stage)"
    "SELECT to_char(w.ws, 'MM-DD') AS week_start,"
    "  (SELECT coalesce(sum(o.amount * p.probability), 0)"
    "     FROM crmx_src.opportunities o"
    "     CROSS JOIN LATERAL (SELECT h.stage_rank FROM crmx_src.stage_history h"
    "                          WHERE h.opportunity_id = o.opportunity_id AND h.entered_at < w.ws"
    "                          ORDER BY h.entered_at DESC LIMIT 1) r"
    "     JOIN prob p ON p.stage_rank = r.stage_rank"
    "    WHERE o.expected_close >= w.ws AND o.expected_close < w.ws + 7"
    "      AND o.created_at < w.ws AND (o.closed_at IS NULL OR o.closed_at >= w.ws)) AS forecast,"
    "  (SELECT coalesce(sum(o.amount), 0) FROM crmx_src.opportunities o"
    "    WHERE o.outcome = 'won' AND o.closed_at >= w.ws AND o.closed_at < w.ws + 7) AS won"
    "  FROM weeks w ORDER BY w.ws";

/* $1 run (int8), $2 previous run (int8, may be NULL), $3 as_of (date),
 * $4 stall_days (int4): typed, so a query may leave some unused. */
static PGresult *
query(PGconn *conn, const char *sql, const char *const params[4], const char *what,
      char *err, size_t errlen)
{
	static const Oid types[4] = { 20, 20, 1082, 23 };
	PGresult *res = PQexecParams(conn, sql, 4, types, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "reading %s: %s", what, db_errmsg(conn));
		PQclear(res);
		return NULL;
	}
	return res;
}

static int
load_run(PGconn *conn, const char *sql, const char *param, int64_t *id, int32_t *as_of,
         json_t **summary, char *finished, size_t flen, char *err, size_t errlen)
{
	const char *params[1] = { param };
	int rc = -1;
	PGresult *res = PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "reading the run: %s", db_errmsg(conn));
		goto out;
	}
	if (PQntuples(res) == 0) {
		rc = 1;
		goto out;
	}
	*id = atoll(PQgetvalue(res, 0, 0));
	if (parse_date(PQgetvalue(res, 0, 1), as_of) != 0) {
		snprintf(err, errlen, "run %lld: bad as_of", (long long)*id);
		goto out;
	}
	json_error_t je;
	*summary = json_loads(PQgetvalue(res, 0, 2), 0, &je);
	if (*summary == NULL) {
		snprintf(err, errlen, "run %lld: summary is not JSON: %s", (long long)*id, je.text);
		goto out;
	}
	if (finished)
		snprintf(finished, flen, "%s", PQgetvalue(res, 0, 3));
	rc = 0;
out:
	PQclear(res);
	return rc;
}

int
rdata_load(PGconn *conn, const struct crmx_config *cfg, int64_t run_id, struct rdata *d,
           char *err, size_t errlen)
{
	char run[24], prev[24], as_of[16], stall[16];
	memset(d, 0, sizeof *d);
	snprintf(run, sizeof run, "%lld", (long long)run_id);
	int r = load_run(conn,
	    "SELECT run_id, as_of, summary, to_char(finished_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD HH24:MI') || ' UTC' FROM crmx.run WHERE run_id = $1 AND status = 'ok'",
	    run, &d->run_id, &d->as_of, &d->summary, d->finished_at, sizeof d->finished_at,
	    err, errlen);
	if (r != 0) {
		if (r > 0)
			snprintf(err, errlen, "run %s is not a complete run", run);
		return -1;
	}
	format_date(d->as_of, as_of, sizeof as_of);
	r = load_run(conn,
	    "SELECT run_id, as_of, summary, '' FROM crmx.run"
	    " WHERE status = 'ok' AND as_of < $1::date"
	    " ORDER BY as_of <= $1::date - 7 DESC, as_of DESC, run_id DESC LIMIT 1",
	    as_of, &d->prev_run_id, &d->prev_as_of, &d->prev_summary, NULL, 0, err, errlen);
	if (r < 0)
		return -1;
	snprintf(prev, sizeof prev, "%lld", (long long)d->prev_run_id);
	snprintf(stall, sizeof stall, "%d", cfg->metrics_stall_days);
	const char *params[4] = { run, d->prev_run_id ? prev : NULL, as_of, stall };

	struct { PGresult **dst; const char *sql, *what; } series[] = {
		{ &d->lorenz_accounts, sql_lorenz, "the Lorenz curve" },
		{ &d->owners, sql_owners, "owner revenue" },
		{ &d->funnel, sql_funnel, "the funnel" },
		{ &d->win_owner, sql_win_owner, "win rates" },
		{ &d->cohorts, sql_cohorts, "cohort curves" },
		{ &d->forecast, sql_forecast, "the weekly forecast" },
	};
	for (size_t i = 0; i < sizeof series / sizeof series[0]; i++)
		if ((*series[i].dst = query(conn, series[i].sql, params, series[i].what,
		                            err, errlen)) == NULL)
			return -1;
	for (int t = 0; t < T__MAX; t++) {
		struct rtable *tb = &d->tables[t];
		tb->def = &rtable_defs[t];
		if ((tb->res = query(conn, tb->def->sql, params, tb->def->id, err, errlen)) == NULL)
			return -1;
		tb->total = PQntuples(tb->res) ? atol(PQgetvalue(tb->res, 0, db_col(tb->res, "total_rows"))) : 0;
	}
	return 0;
}

void
rdata_free(struct rdata *d)
{
	json_decref(d->summary);
	json_decref(d->prev_summary);
	PQclear(d->lorenz_accounts);
	PQclear(d->owners);
	PQclear(d->funnel);
	PQclear(d->win_owner);
	PQclear(d->cohorts);
	PQclear(d->forecast);
	for (int t = 0; t < T__MAX; t++)
		PQclear(d->tables[t].res);
	memset(d, 0, sizeof *d);
}
