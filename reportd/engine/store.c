/* Writes a run's results into the crmx tables in one transaction, ending
 * with the UPDATE that marks the run 'ok': readers (panels, report) only
 * ever see complete runs, and a failure leaves the previous run current.
 * Large tables go by COPY; NAN becomes SQL NULL here and only here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "money.h"
#include "pgcopy.h"
#include "store.h"
#include "util.h"

/* How many finished runs keep their per-account rows (a partition each):
 * an older run keeps only its small tables (owner metrics, forecast,
 * concentration, funnel...), for KEEP_SMALL_SQL; a failed one, nothing. */
#define KEEP_RUNS 12
#define KEEP_SMALL_SQL "interval '2 years'"

static void
num(struct pgcopy *c, double v)
{
	if (isnan(v) || isinf(v))
		pgcopy_text(c, NULL);
	else
		pgcopy_rawf(c, "%.17g", v);
}

/* An exact amount (minor units with `digits` decimals) as its text. */
static void
money(struct pgcopy *c, int64_t v, int digits)
{
	char buf[32];
	money_format(buf, sizeof buf, v, digits);
	pgcopy_rawf(c, "%s", buf);
}

/* An expected amount (a double: amount times probability), rounded to the
 * minor unit. */
static void
money_expected(struct pgcopy *c, double v, int digits)
{
	if (isnan(v) || isinf(v))
		pgcopy_text(c, NULL);
	else
		pgcopy_rawf(c, "%.*f", digits, v);
}

/* Minor units as the cents of the binary numeric(18,2) columns (a
 * currency with 3 minor digits is rounded to 2 there). */
int64_t
store_cents(int64_t v, int digits)
{
	if (digits <= 2)
		return v * money_scale(2 - digits);
	int64_t s = money_scale(digits - 2);
	return (v >= 0 ? v + s / 2 : v - s / 2) / s;
}

static void
date_or_null(struct pgcopy *c, int32_t day)
{
	char buf[16];
	if (day == INT32_MIN) {
		pgcopy_text(c, NULL);
		return;
	}
	format_date(day, buf, sizeof buf);
	pgcopy_rawf(c, "%s", buf);
}

static void
class_or_null(struct pgcopy *c, char cls)
{
	char buf[2] = { cls, '\0' };
	pgcopy_text(c, cls ? buf : NULL);
}

static void
rank_or_null(struct pgcopy *c, uint32_t rank)
{
	if (rank == 0)
		pgcopy_text(c, NULL);
	else
		pgcopy_rawf(c, "%u", rank);
}

/* One account's row of crmx.account_metrics, binary. */
static void
account_row(struct pgcopy *c, int64_t run, int64_t account_id, const int64_t *owner,
            const struct acct_result *a, int digits)
{
	char abc[2] = { a->abc, 0 }, grade[2] = { a->grade, 0 };
	pgcopy_brow(c, 21);
	pgcopy_bint8(c, run);
	pgcopy_bint8(c, account_id);
	if (owner != NULL)
		pgcopy_bint8(c, *owner);
	else
		pgcopy_bnull(c);
	pgcopy_bnumeric_cents(c, store_cents(a->revenue_window, digits));
	pgcopy_btext(c, a->abc ? abc : NULL);
	if (a->rank)
		pgcopy_bint4(c, (int32_t)a->rank);
	else
		pgcopy_bnull(c);
	if (a->hist_ltv == MONEY_NONE)
		pgcopy_bnull(c);
	else
		pgcopy_bnumeric_cents(c, store_cents(a->hist_ltv, digits));
	if (a->first_day == INT32_MIN)
		pgcopy_bnull(c);
	else
		pgcopy_bdate(c, a->first_day);
	if (a->last_day == INT32_MIN)
		pgcopy_bnull(c);
	else
		pgcopy_bdate(c, a->last_day);
	if (a->x < 0)
		pgcopy_bnull(c);
	else
		pgcopy_bint4(c, a->x);
	pgcopy_bfloat8(c, a->t_x);
	pgcopy_bfloat8(c, a->t_cal);
	pgcopy_bfloat8(c, a->exp_purchases);
	pgcopy_bfloat8(c, a->p_alive);
	/* amounts, though expected ones: to the minor unit */
	pgcopy_bfloat8(c, money_round(a->exp_value, digits));
	pgcopy_bfloat8(c, money_round(a->ltv_pred, digits));
	pgcopy_btext(c, a->segment);
	pgcopy_btext(c, a->grade ? grade : NULL);
	pgcopy_bint4(c, a->open_deals);
	/* whole seconds, as before */
	pgcopy_btimestamptz(c, isnan(a->last_activity) ? NAN : floor(a->last_activity));
	pgcopy_btext(c, a->hist_ltv == MONEY_NONE ? NULL : a->by_margin ? "margin" : "revenue");
}

/* Orders of the accounts' rows: by owner's id (none last), then revenue in
 * the window, largest first, then account id: the order of the run's
 * index of each owner's accounts by revenue (0042). */
struct by_owner {
	const struct snapshot	*s;
	const struct results	*r;
};

static int
cmp_owner_id(const void *a, const void *b, void *arg)
{
	const int64_t *id = arg;
	int64_t x = id[*(const uint32_t *)a], y = id[*(const uint32_t *)b];
	return (x > y) - (x < y);
}

static int
cmp_by_revenue(const void *a, const void *b, void *arg)
{
	const struct by_owner *o = arg;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	/* as stored: a currency with 3 minor digits is rounded to cents,
	 * and two amounts may become one */
	int d = o->r->money_digits;
	int64_t x = store_cents(o->r->acct[i].revenue_window, d);
	int64_t y = store_cents(o->r->acct[j].revenue_window, d);
	if (x != y)
		return x < y ? 1 : -1;
	int64_t p = o->s->acct[i].id, q = o->s->acct[j].id;
	return (p > q) - (p < q);
}

/* The accounts' indexes in that order (the caller frees them): rows
 * copied in the order of an index make its build a check that they are
 * sorted (at 10^6 accounts 0.33 s, where it sorted them in 1.16 s), and
 * each owner's rows lie together, where the lists by owner read them. */
static uint32_t *
accounts_by_owner(const struct snapshot *s, const struct results *r)
{
	size_t no = s->n_owner, n = s->n_acct;
	uint32_t *owners = xcalloc(no + 1, sizeof *owners);
	uint32_t *rank = xcalloc(no + 1, sizeof *rank);
	size_t *start = xcalloc(no + 2, sizeof *start);
	uint32_t *order = xcalloc(n ? n : 1, sizeof *order);
	for (uint32_t k = 0; k < no; k++)
		owners[k] = k;
	qsort_r(owners, no, sizeof *owners, cmp_owner_id, s->owner_id);
	for (uint32_t k = 0; k < no; k++)
		rank[owners[k]] = k;
	/* counted by owner (none: the last bucket), then placed */
	for (size_t i = 0; i < n; i++) {
		uint32_t o = s->acct[i].owner;
		start[(o == NO_INDEX ? no : rank[o]) + 1]++;
	}
	for (size_t k = 1; k <= no + 1; k++)
		start[k] += start[k - 1];
	for (size_t i = 0; i < n; i++) {
		uint32_t o = s->acct[i].owner;
		order[start[o == NO_INDEX ? no : rank[o]]++] = (uint32_t)i;
	}
	/* start[k] is now the end of bucket k */
	struct by_owner by = { s, r };
	for (size_t k = 0, from = 0; k <= no; from = start[k++])
		qsort_r(order + from, start[k] - from, sizeof *order, cmp_by_revenue, &by);
	free(owners);
	free(rank);
	free(start);
	return order;
}

static int
copy_accounts(PGconn *conn, int64_t run, const struct snapshot *s, const struct results *r)
{
	struct pgcopy c;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)run);
	/* The run's own table, made by the schema's owner (0016, 0035) in
	 * this transaction, bare: filled here and committed (read by the
	 * sums beside, 0051), then indexed and attached as the run's
	 * partition of crmx.account_metrics (0006) by
	 * crmx.attach_run_partition.  Kept up during the COPY, the indexes
	 * made it 13 s instead of 2 at 10^6 accounts. */
	const char *params[1] = { id };
	PGresult *res = db_check(conn, PQexecParams(conn, "SELECT crmx.add_run_partition($1)",
	    1, NULL, params, NULL, NULL, 0), PGRES_TUPLES_OK, "creating the run's partition");
	if (res == NULL)
		return -1;
	PQclear(res);
	char sql[512];
	snprintf(sql, sizeof sql, "COPY crmx.account_metrics_%lld (run_id, account_id, owner_id,"
	    " revenue_window, abc_class, revenue_rank, hist_ltv, first_purchase, last_purchase,"
	    " x, t_x, t_cal, exp_purchases, p_alive, exp_value, ltv_pred, segment, qual_grade,"
	    " open_deals, last_activity, value_basis) FROM STDIN (FORMAT binary, FREEZE)",
	    (long long)run);
	/* Binary: a million rows of numbers are neither printed here nor
	 * parsed by the server.  Frozen: the table is this transaction's
	 * own, so its rows need no later visit to be marked visible to all. */
	if (pgcopy_begin_binary(&c, conn, sql) != 0)
		return -1;
	uint32_t *order = accounts_by_owner(s, r);
	for (size_t k = 0; k < s->n_acct; k++) {
		uint32_t i = order[k], o = s->acct[i].owner;
		account_row(&c, run, s->acct[i].id, o == NO_INDEX ? NULL : &s->owner_id[o],
		    &r->acct[i], r->money_digits);
	}
	free(order);
	return pgcopy_finish(&c, "storing account metrics") != 0 ? -1 : 0;
}

/* The answer to store_begin's attach_run_partition, then the partition's
 * statistics: the panels plan their lists by them, and without them a
 * fresh run's first pages are planned blind (0025). */
static int
attach_wait(PGconn *conn, const char *run)
{
	PGresult *res = db_check(conn, PQgetResult(conn), PGRES_TUPLES_OK,
	    "indexing and attaching the run's rows");
	int rc = res != NULL ? 0 : -1;
	PQclear(res);
	/* the rest of the answer (nothing, or a connection's error) */
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			rc = -1;
		PQclear(res);
	}
	if (rc != 0)
		return -1;
	const char *params[1] = { run };
	res = db_check(conn, PQexecParams(conn, "SELECT crmx.analyze_run_partition($1)",
	    1, NULL, params, NULL, NULL, 0), PGRES_TUPLES_OK, "analyzing the run's partition");
	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

static int
copy_owners(PGconn *conn, int64_t run, const struct snapshot *s, const struct results *r)
{
	struct pgcopy c;
	if (pgcopy_begin(&c, conn, "COPY crmx.owner_metrics (run_id, owner_id, revenue,"
	    " revenue_share, abc_class, revenue_rank, won, lost, win_rate, cycle_median_days,"
	    " cycle_mean_days, activity_minutes, minutes_per_won_deal, revenue_per_hour,"
	    " open_deals, weighted_pipeline, key_person_coverage, reached, conv_base) FROM STDIN") != 0)
		return -1;
	for (size_t i = 0; i < s->n_owner; i++) {
		const struct owner_result *w = &r->owner[i];
		pgcopy_rawf(&c, "%lld", (long long)run);
		pgcopy_rawf(&c, "%lld", (long long)s->owner_id[i]);
		money(&c, w->revenue, r->money_digits);
		num(&c, w->share);
		class_or_null(&c, w->abc);
		rank_or_null(&c, w->rank);
		pgcopy_rawf(&c, "%d", w->won);
		pgcopy_rawf(&c, "%d", w->lost);
		num(&c, w->win_rate);
		num(&c, w->cycle_median);
		num(&c, w->cycle_mean);
		pgcopy_rawf(&c, "%lld", (long long)w->minutes);
		num(&c, w->minutes_per_won);
		num(&c, w->revenue_per_hour);
		pgcopy_rawf(&c, "%d", w->open_deals);
		money_expected(&c, w->weighted_pipeline, r->money_digits);
		num(&c, w->key_person_coverage);
		pgcopy_rawf(&c, "{%d,%d,%d,%d,%d}", w->reached[1], w->reached[2], w->reached[3],
		            w->reached[4], w->reached[5]);
		pgcopy_rawf(&c, "{%d,%d,%d,%d}", w->conv_base[1], w->conv_base[2], w->conv_base[3],
		            w->conv_base[4]);
		pgcopy_endrow(&c);
	}
	return pgcopy_finish(&c, "storing owner metrics");
}

static int
copy_concentration(PGconn *conn, int64_t run, const struct results *r)
{
	struct pgcopy c;
	const struct concentration *cs[2] = { &r->conc_accounts, &r->conc_owners };
	static const char *const scope[2] = { "accounts", "owners" };

	if (pgcopy_begin(&c, conn, "COPY crmx.concentration (run_id, scope, n, non_positive, total,"
	    " top20_share, frac_for_80, gini, n_a, n_b, n_c, revenue_a, revenue_b, revenue_c)"
	    " FROM STDIN") != 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		pgcopy_rawf(&c, "%lld", (long long)run);
		pgcopy_text(&c, scope[i]);
		pgcopy_rawf(&c, "%zu", cs[i]->n);
		pgcopy_rawf(&c, "%zu", cs[i]->non_positive);
		money(&c, cs[i]->total, r->money_digits);
		num(&c, cs[i]->top20_share);
		num(&c, cs[i]->frac_for_80);
		num(&c, cs[i]->gini);
		pgcopy_rawf(&c, "%zu", cs[i]->n_a);
		pgcopy_rawf(&c, "%zu", cs[i]->n_b);
		pgcopy_rawf(&c, "%zu", cs[i]->n_c);
		money(&c, cs[i]->rev_a, r->money_digits);
		money(&c, cs[i]->rev_b, r->money_digits);
		money(&c, cs[i]->rev_c, r->money_digits);
		pgcopy_endrow(&c);
	}
	return pgcopy_finish(&c, "storing concentration") != 0 ? -1 : 0;
}

static int
copy_lorenz(PGconn *conn, int64_t run, const struct results *r)
{
	struct pgcopy c;
	const struct concentration *cs[2] = { &r->conc_accounts, &r->conc_owners };
	static const char *const scope[2] = { "accounts", "owners" };

	if (pgcopy_begin(&c, conn, "COPY crmx.lorenz (run_id, scope, i, x, y) FROM STDIN") != 0)
		return -1;
	for (int i = 0; i < 2; i++)
		for (size_t k = 0; k < cs[i]->n_lorenz; k++) {
			pgcopy_rawf(&c, "%lld", (long long)run);
			pgcopy_text(&c, scope[i]);
			pgcopy_rawf(&c, "%zu", k);
			num(&c, cs[i]->lorenz_x[k]);
			num(&c, cs[i]->lorenz_y[k]);
			pgcopy_endrow(&c);
		}
	return pgcopy_finish(&c, "storing Lorenz points") != 0 ? -1 : 0;
}

static int
copy_funnel(PGconn *conn, int64_t run, const struct results *r)
{
	struct pgcopy c;

	if (pgcopy_begin(&c, conn, "COPY crmx.funnel_metrics (run_id, stage_rank, reached,"
	    " reached_amount, conversion_next, median_days_in_stage, open_count, open_amount,"
	    " weighted_amount) FROM STDIN") != 0)
		return -1;
	for (int k = 1; k <= 5; k++) {
		const struct funnel_rank *f = &r->funnel[k];
		pgcopy_rawf(&c, "%lld", (long long)run);
		pgcopy_rawf(&c, "%d", k);
		pgcopy_rawf(&c, "%d", f->reached);
		money(&c, f->reached_amount, r->money_digits);
		num(&c, k < 5 ? f->conversion : NAN);
		num(&c, f->median_days);
		pgcopy_rawf(&c, "%d", f->open_count);
		money(&c, f->open_amount, r->money_digits);
		money_expected(&c, f->weighted, r->money_digits);
		pgcopy_endrow(&c);
	}
	return pgcopy_finish(&c, "storing funnel") != 0 ? -1 : 0;
}

static int
copy_win_rates(PGconn *conn, int64_t run, const struct results *r)
{
	struct pgcopy c;

	if (pgcopy_begin(&c, conn, "COPY crmx.win_rate (run_id, dimension, key, won, lost, win_rate)"
	    " FROM STDIN") != 0)
		return -1;
	for (size_t i = 0; i < r->n_rates; i++) {
		pgcopy_rawf(&c, "%lld", (long long)run);
		pgcopy_text(&c, r->rates[i].dimension);
		pgcopy_text(&c, r->rates[i].key);
		pgcopy_rawf(&c, "%d", r->rates[i].won);
		pgcopy_rawf(&c, "%d", r->rates[i].lost);
		num(&c, r->rates[i].rate);
		pgcopy_endrow(&c);
	}
	return pgcopy_finish(&c, "storing win rates") != 0 ? -1 : 0;
}

static int
copy_cohorts(PGconn *conn, int64_t run, const struct results *r)
{
	struct pgcopy c;

	if (pgcopy_begin(&c, conn, "COPY crmx.cohort_curve (run_id, cohort, k, size,"
	    " cum_revenue_per_acct) FROM STDIN") != 0)
		return -1;
	for (size_t i = 0; i < r->n_cohorts; i++) {
		pgcopy_rawf(&c, "%lld", (long long)run);
		date_or_null(&c, month_first_day(r->cohorts[i].cohort_month));
		pgcopy_rawf(&c, "%d", r->cohorts[i].k);
		pgcopy_rawf(&c, "%d", r->cohorts[i].size);
		num(&c, r->cohorts[i].cum_per_account);
		pgcopy_endrow(&c);
	}
	return pgcopy_finish(&c, "storing cohorts") != 0 ? -1 : 0;
}

/* The run's small tables, one COPY each. */
static int
copy_small(PGconn *conn, int64_t run, const struct results *r)
{
	return copy_concentration(conn, run, r) != 0 || copy_lorenz(conn, run, r) != 0 ||
	    copy_funnel(conn, run, r) != 0 || copy_win_rates(conn, run, r) != 0 ||
	    copy_cohorts(conn, run, r) != 0 ? -1 : 0;
}

static int
copy_forecast(PGconn *conn, int64_t run, const struct snapshot *s, const struct results *r)
{
	struct pgcopy c;
	if (pgcopy_begin(&c, conn, "COPY crmx.forecast (run_id, owner_id, period_start, open_deals,"
	    " amount, weighted) FROM STDIN") != 0)
		return -1;
	for (size_t i = 0; i < r->n_forecast; i++) {
		const struct forecast_row *f = &r->forecast[i];
		if (f->owner == NO_INDEX)
			continue;	/* deals without an owner have no one to forecast */
		pgcopy_rawf(&c, "%lld", (long long)run);
		pgcopy_rawf(&c, "%lld", (long long)s->owner_id[f->owner]);
		date_or_null(&c, month_first_day(f->month));
		pgcopy_rawf(&c, "%d", f->open_deals);
		money(&c, f->amount, r->money_digits);
		money_expected(&c, f->weighted, r->money_digits);
		pgcopy_endrow(&c);
	}
	return pgcopy_finish(&c, "storing forecast");
}

/* Calls fn(run) for each run_id of a statement's result; -1 on failure. */
static int
each_run(PGconn *conn, PGresult *res, const char *fn, const char *what)
{
	if (res == NULL)
		return -1;
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT %s($1)", fn);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *dp[1] = { PQgetvalue(res, i, 0) };
		PGresult *d = db_check(conn, PQexecParams(conn, sql, 1, NULL, dp, NULL, NULL, 0),
		    PGRES_TUPLES_OK, what);
		if (d == NULL) {
			PQclear(res);
			return -1;
		}
		PQclear(d);
	}
	PQclear(res);
	return 0;
}

/* Old runs, beyond the newest KEEP_RUNS: a failed one is deleted, and so
 * is one whose as-of date is more than KEEP_SMALL_SQL before the newest
 * complete run's, with its small tables (ON DELETE CASCADE) and
 * partition; the others keep their small tables and lose only their
 * per-account partition (crmx.drop_run_accounts, 0017). */
static int
prune_runs(PGconn *conn)
{
	char keep[8];
	snprintf(keep, sizeof keep, "%d", KEEP_RUNS);
	const char *kp[1] = { keep };
	PGresult *res = db_check(conn, PQexecParams(conn,
	    "DELETE FROM crmx.run WHERE run_id IN (SELECT run_id FROM crmx.run"
	    " WHERE status <> 'running' ORDER BY run_id DESC OFFSET $1)"
	    " AND (status = 'failed' OR as_of < (SELECT max(as_of) FROM crmx.run"
	    " WHERE status = 'ok') - " KEEP_SMALL_SQL ") RETURNING run_id",
	    1, NULL, kp, NULL, NULL, 0), PGRES_TUPLES_OK, "pruning old runs");
	if (each_run(conn, res, "crmx.drop_run_partition", "dropping an old run's partition") != 0)
		return -1;
	res = db_check(conn, PQexecParams(conn,
	    "SELECT run_id FROM (SELECT run_id FROM crmx.run WHERE status <> 'running'"
	    " ORDER BY run_id DESC OFFSET $1) r"
	    " WHERE to_regclass('crmx.account_metrics_' || r.run_id) IS NOT NULL",
	    1, NULL, kp, NULL, NULL, 0), PGRES_TUPLES_OK, "finding old runs' partitions");
	return each_run(conn, res, "crmx.drop_run_accounts", "dropping an old run's account rows");
}

/* SET LOCAL work_mem = MB megabytes ([reportd] store_work_mem_mb): the
 * panels' sums join, group and rank every account; with a server's usual
 * few MB each spills in batches to disk (at 5 million accounts 70 s of
 * sums with 64 MB, 55 with 256).  0 or -1. */
static int
set_work_mem(PGconn *conn, int mb)
{
	char wm[24];
	snprintf(wm, sizeof wm, "%dMB", mb);
	const char *params[1] = { wm };
	PGresult *res = db_check(conn, PQexecParams(conn, "SELECT set_config('work_mem', $1, true)",
	    1, NULL, params, NULL, NULL, 0), PGRES_TUPLES_OK, "setting the store's work_mem");
	PQclear(res);
	return res != NULL ? 0 : -1;
}

/* The first statements of one of a run's transactions: durable at commit
 * when `durable` (the store's), else flushed by the store's commit (the
 * transactions before it); no statement timeout; work_mem for its sums
 * (0: the server's). */
static int
store_settings(PGconn *conn, int durable, int work_mem_mb)
{
	return db_command(conn, durable ? "SET LOCAL synchronous_commit = on"
	                                : "SET LOCAL synchronous_commit = off") != 0 ||
	    db_command(conn, "SET LOCAL statement_timeout = 0") != 0 ||
	    (work_mem_mb > 0 && set_work_mem(conn, work_mem_mb) != 0) ? -1 : 0;
}

/* SELECT crmx.FN(run): its result, or NULL (logged as `what`). */
static PGresult *
run_call(PGconn *conn, const char *sql, int64_t run_id, const char *what)
{
	char run[24];
	snprintf(run, sizeof run, "%lld", (long long)run_id);
	const char *params[1] = { run };
	return db_check(conn, PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0),
	                PGRES_TUPLES_OK, what);
}

int
store_accounts_commit(PGconn *conn, int64_t run_id, const struct snapshot *s,
                      const struct results *r, char *err, size_t errlen)
{
	if (db_command(conn, "BEGIN") != 0 || store_settings(conn, 0, 0) != 0 ||
	    copy_accounts(conn, run_id, s, r) != 0 || store_regions(conn, run_id, s, r) != 0 ||
	    db_command(conn, "COMMIT") != 0) {
		snprintf(err, errlen, "storing the accounts' results: %s", db_errmsg(conn));
		store_abort(conn);
		return -1;
	}
	return 0;
}

int
store_begin(PGconn *conn, int64_t run_id, int work_mem_mb, char *err, size_t errlen)
{
	char run[24];
	snprintf(run, sizeof run, "%lld", (long long)run_id);
	const char *params[1] = { run };
	/* The closed deals' sums (0054), the run's primary key and the lists'
	 * orders (0042, 0051), then the table attached as the run's partition:
	 * sent, not waited for.  The server makes them (5-6 s at 10^6
	 * accounts) while this process computes the learned forecast, which
	 * reads none of them; attach_wait collects the answer.  The index
	 * builds may take a parallel worker: with the regions' sums made here
	 * (0054) they, not the learned forecast, were the longer of the two
	 * (at 10^6 accounts, three runs in turn: 17.7-18.7 s, and 18.3-18.9
	 * with no worker). */
	if (db_command(conn, "BEGIN") != 0 || store_settings(conn, 1, work_mem_mb) != 0 ||
	    db_command(conn, "SET LOCAL max_parallel_maintenance_workers = 1") != 0 ||
	    !PQsendQueryParams(conn,
	    "SELECT crmx.store_closed_sums($1), crmx.attach_run_partition($1)",
	    1, NULL, params, NULL, NULL, 0)) {
		snprintf(err, errlen, "indexing and attaching the run's rows: %s", db_errmsg(conn));
		store_abort(conn);
		return -1;
	}
	return 0;
}

void
store_abort(PGconn *conn)
{
	if (PQstatus(conn) != CONNECTION_OK)
		return;
	if (PQtransactionStatus(conn) == PQTRANS_ACTIVE) {
		/* the attach still running: asked to stop, its answer read */
		PGcancel *cancel = PQgetCancel(conn);
		char why[256];
		if (cancel != NULL) {
			PQcancel(cancel, why, sizeof why);
			PQfreeCancel(cancel);
		}
		PGresult *res;
		while ((res = PQgetResult(conn)) != NULL)
			PQclear(res);
	}
	PGTransactionStatusType ts = PQtransactionStatus(conn);
	if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
		db_command(conn, "ROLLBACK");
}

/* After the panels' sums, in this order, each on the run: */
static const struct {
	const char	*sql, *what;
} after_panels[] = {
	/* a manager's pipeline's sums per team (0060), from the teams and the
	 * owners' sums just stored */
	{ "SELECT crmx.store_pipeline_team_sums($1)", "storing the pipeline's sums per team" },
	/* and the accounts lists' first rows per owner and per team (0061) */
	{ "SELECT crmx.store_top_accounts($1)", "storing the accounts lists' first rows" },
	/* the team view's (0031), after that snapshot */
	{ "SELECT crmx.store_team_aggregates($1)", "storing the team view's sums" },
	/* the team view's won amounts per month, for its forecast accuracy
	 * (0044), after that snapshot too */
	{ "SELECT crmx.store_won_months($1)", "storing the won amounts by month" },
	/* an executive's team view's sums per team (0048), from those two */
	{ "SELECT crmx.store_team_rows($1)", "storing the team view's sums per team" },
	/* and its whole rows per team, as of the run's day (0056) */
	{ "SELECT crmx.store_team_whole($1)", "storing the team view's whole rows per team" },
};

int
store_results(PGconn *conn, int64_t run_id, const struct snapshot *s, const struct results *r,
              const char *run_snap, const char *summary_json, const char *row_counts_json,
              long duration_ms, char *err, size_t errlen)
{
	char run[24], dur[24];
	snprintf(run, sizeof run, "%lld", (long long)run_id);
	snprintf(dur, sizeof dur, "%ld", duration_ms);
	if (attach_wait(conn, run) || copy_owners(conn, run_id, s, r) ||
	    copy_small(conn, run_id, r) || copy_forecast(conn, run_id, s, r) ||
	    store_winfc(conn, run_id, s, r))
		goto fail;
	/* the all-scope pages' sums (0027), once the run's rows are in, with
	 * days cut in the panels' time zone, of the run's snapshot or later:
	 * the one taken before its read is recorded as the run's (0054) */
	const char *tz = r->timezone != NULL && r->timezone[0] != '\0' ? r->timezone : NULL;
	const char *ap[3] = { run, tz, run_snap };
	PGresult *res = db_check(conn, PQexecParams(conn,
	    "SELECT crmx.store_panel_aggregates($1, $2, $3::pg_snapshot)",
	    3, NULL, ap, NULL, NULL, 0), PGRES_TUPLES_OK, "storing the panels' sums");
	if (res == NULL)
		goto fail;
	PQclear(res);
	for (size_t i = 0; i < sizeof after_panels / sizeof *after_panels; i++) {
		if ((res = run_call(conn, after_panels[i].sql, run_id, after_panels[i].what)) == NULL)
			goto fail;
		PQclear(res);
	}
	const char *params[4] = { run, dur, row_counts_json, summary_json };
	res = db_check(conn, PQexecParams(conn,
	    "UPDATE crmx.run SET status = 'ok', finished_at = clock_timestamp(),"
	    " duration_ms = $2, row_counts = $3::jsonb, summary = $4::jsonb WHERE run_id = $1",
	    4, NULL, params, NULL, NULL, 0), PGRES_COMMAND_OK, "marking the run done");
	if (res == NULL)
		goto fail;
	PQclear(res);
	if (prune_runs(conn) != 0)
		goto fail;
	if (db_command(conn, "COMMIT") != 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "storing results: %s", db_errmsg(conn));
	store_abort(conn);
	return -1;
}
