/* The learned forecast's rows of a run (0028_learned_forecast.sql): each
 * open deal's learned probability, stage weight and top features into the
 * run's partition of crmx.deal_forecast (made with the account one by
 * crmx.add_run_partition), and the backtest into crmx.forecast_backtest;
 * in the run's storing transaction (store.c). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "db.h"
#include "money.h"
#include "pgcopy.h"
#include "store.h"
#include "summary.h"
#include "util.h"

static void
real_or_null(struct pgcopy *c, double v)
{
	if (isfinite(v))
		pgcopy_rawf(c, "%.17g", v);
	else
		pgcopy_text(c, NULL);
}

/* The keys and effects as array literals (keys are constants of
 * dealstate.c: letters, digits and underscores). */
static void
top_arrays(struct pgcopy *c, const struct wf_deal *d)
{
	char keys[256] = "{", effs[256] = "{";
	for (int k = 0; k < WF_TOP && d->top[k] != NULL; k++) {
		size_t nk = strlen(keys), ne = strlen(effs);
		snprintf(keys + nk, sizeof keys - nk, "%s%s", k ? "," : "", d->top[k]);
		snprintf(effs + ne, sizeof effs - ne, "%s%.6g", k ? "," : "", d->effect[k]);
	}
	strcat(keys, "}");
	strcat(effs, "}");
	pgcopy_text(c, d->top[0] ? keys : NULL);
	pgcopy_text(c, d->top[0] ? effs : NULL);
}

static int
copy_deals(PGconn *conn, int64_t run, const struct snapshot *s, const struct winforecast *f)
{
	struct pgcopy c;
	if (pgcopy_begin(&c, conn, "COPY crmx.deal_forecast (run_id, opportunity_id, stage_weight,"
	    " probability, top_features, top_effects) FROM STDIN") != 0)
		return -1;
	for (size_t i = 0; i < f->n_deals; i++) {
		const struct wf_deal *d = &f->deals[i];
		pgcopy_rawf(&c, "%lld", (long long)run);
		pgcopy_rawf(&c, "%lld", (long long)s->opp[d->opp].id);
		real_or_null(&c, d->weight);
		real_or_null(&c, d->p);
		top_arrays(&c, d);
		pgcopy_endrow(&c);
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
