/* The learned forecast's rows of a run (0028_learned_forecast.sql): each
 * open deal's learned probability, stage weight and top features into the
 * run's partition of crmx.deal_forecast (made with the account one by
 * crmx.add_run_partition), and the backtest into crmx.forecast_backtest;
 * in the run's storing transaction (store.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db.h"
#include "money.h"
#include "pgcopy.h"
#include "store.h"
#include "summary.h"
#include "util.h"

/* The effects as stored before (six significant digits, as printed into
 * an array literal), the same doubles: strtod reads what float8in read. */
static double
six_digits(double v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%.6g", v);
	return strtod(buf, NULL);
}

/* Binary: a COPY of the 98,500 open deals at 10^6 accounts took 0.58 s
 * in text (each double printed with 17 digits and the features and
 * effects as array literals, parsed again by the server) at the end of
 * the run's store, one core idle. */
static int
copy_deals(PGconn *conn, int64_t run, const struct snapshot *s, const struct winforecast *f)
{
	struct pgcopy c;
	if (pgcopy_begin_binary(&c, conn, "COPY crmx.deal_forecast (run_id, opportunity_id,"
	    " stage_weight, probability, top_features, top_effects) FROM STDIN (FORMAT binary)") != 0)
		return -1;
	for (size_t i = 0; i < f->n_deals; i++) {
		const struct wf_deal *d = &f->deals[i];
		int n = 0;
		double eff[WF_TOP];
		while (n < WF_TOP && d->top[n] != NULL) {
			eff[n] = six_digits(d->effect[n]);
			n++;
		}
		pgcopy_brow(&c, 6);
		pgcopy_bint8(&c, run);
		pgcopy_bint8(&c, s->opp[d->opp].id);
		pgcopy_bfloat8(&c, d->weight);	/* not finite: NULL */
		pgcopy_bfloat8(&c, d->p);
		if (n == 0) {
			pgcopy_bnull(&c);
			pgcopy_bnull(&c);
		} else {
			pgcopy_btext_array(&c, d->top, n);
			pgcopy_bfloat8_array(&c, eff, n);
		}
	}
	return pgcopy_finish(&c, "storing the deals' learned probabilities");
}

static void
amount_or_null(char *buf, size_t len, double v, int digits)
{
	if (isfinite(v))
		snprintf(buf, len, "%.*f", digits, v);
	else
		buf[0] = '\0';
}

#define NP 16

static int
insert_backtest(PGconn *conn, int64_t run, const struct winforecast *f, int dg)
{
	const struct wf_backtest *bt = &f->bt;
	char v[NP][40];
	const char *p[NP];
	json_t *j = summary_winfc(f, dg);
	char *cal = json_dumps(json_object_get(json_object_get(j, "backtest"), "calibration"),
	                       JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	snprintf(v[0], sizeof v[0], "%lld", (long long)run);
	snprintf(v[1], sizeof v[1], "%s", f->uses_model ? "t" : "f");
	snprintf(v[2], sizeof v[2], "%s", f->reason);
	amount_or_null(v[3], sizeof v[3], f->learned, dg);
	amount_or_null(v[4], sizeof v[4], f->weighted, dg);
	snprintf(v[5], sizeof v[5], "%d", bt->weeks > 0 ? bt->weeks : 0);
	if (bt->weeks > 0)
		format_date(bt->cut, v[6], sizeof v[6]);
	else
		v[6][0] = '\0';
	snprintf(v[7], sizeof v[7], "%d", bt->resolved);
	const double figs[4] = { bt->brier_model, bt->brier_stage, bt->logloss_model,
	                         bt->logloss_stage };
	for (int k = 0; k < 4; k++)
		if (isfinite(figs[k]))
			snprintf(v[8 + k], sizeof v[8 + k], "%.17g", figs[k]);
		else
			v[8 + k][0] = '\0';
	amount_or_null(v[12], sizeof v[12], bt->expected_model, dg);
	amount_or_null(v[13], sizeof v[13], bt->expected_stage, dg);
	amount_or_null(v[14], sizeof v[14], bt->won_amount, dg);
	for (int k = 0; k < NP - 1; k++)
		p[k] = v[k][0] ? v[k] : NULL;
	p[NP - 1] = bt->weeks > 0 ? cal : NULL;
	PGresult *res = db_check(conn, PQexecParams(conn,
	    "INSERT INTO crmx.forecast_backtest (run_id, uses_model, reason, learned, weighted,"
	    " weeks, cut, deals, brier_model, brier_stage, logloss_model, logloss_stage,"
	    " expected_model, expected_stage, won, calibration) VALUES ($1, $2, $3, $4, $5, $6,"
	    " $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)", NP, NULL, p, NULL, NULL, 0),
	    PGRES_COMMAND_OK, "storing the forecast's backtest");
	free(cal);
	PQclear(res);
	return res == NULL ? -1 : 0;
}

int
store_winfc(PGconn *conn, int64_t run, const struct snapshot *s, const struct results *r)
{
	if (copy_deals(conn, run, s, &r->winfc) != 0)
		return -1;
	return insert_backtest(conn, run, &r->winfc, r->money_digits);
}
