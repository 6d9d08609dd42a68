/* /crmx/pipeline: the funnel of the viewer's deals — open deals, amount
 * and weighted amount per stage, how many deals created in the last year
 * reached each stage (and so the stage-to-stage rate), the open deals in
 * order of priority with stalled ones flagged, and the weighted forecast
 * for this month and quarter (overdue deals count in this month), the
 * median days deals spend in each stage, and over the 12 months of the
 * latest run the lost reasons (count and amount) and the win rate by
 * source.
 * This file fetches (by column name) and dispatches; the writers are
 * pipeline_html.c and pipeline_json.c. */
#include <math.h>
#include <stdlib.h>

#include "pipeline.h"

/* Q_FUNNEL: four columns per layer k (openK, amountK, weightedK, reachedK),
 * then the forecast and the run's as-of date. */
enum funnel_f { FN_OPEN, FN_AMOUNT, FN_WEIGHTED, FN_REACHED, FN_BASE, FN_MEDIAN, FN_PER };
#define FN_LAYER(k) "open" #k, "amount" #k, "weighted" #k, "reached" #k, "base" #k, \
	"median_days" #k
enum { FN_MONTH = 5 * FN_PER, FN_QUARTER, FN_AS_OF, FN__N };
static const char *const funnel_cols[FN__N] = {
	FN_LAYER(1), FN_LAYER(2), FN_LAYER(3), FN_LAYER(4), FN_LAYER(5),
	"month", "quarter", "as_of",
};
static const char *const pdeal_cols[PD__N] = {
	"opportunity_id", "name", "account", "stage", "amount", "probability", "days",
};
static const char *const lost_cols[LR__N] = { "lost_reason", "deals", "amount" };
static const char *const source_cols[WS__N] = { "source", "won", "lost" };

static void
read_layers(const struct rows *f, struct layer *l)
{
	for (int k = 0; k < 5; k++) {
		int b = FN_PER * k;
		l[k].open = atoi(rows_s(f, 0, b + FN_OPEN));
		l[k].amount = rows_num(f, 0, b + FN_AMOUNT);
		l[k].weighted = rows_num(f, 0, b + FN_WEIGHTED);
		l[k].reached = rows_null(f, 0, b + FN_REACHED) ? -1 : atol(rows_s(f, 0, b + FN_REACHED));
		l[k].base = rows_null(f, 0, b + FN_BASE) ? -1 : atol(rows_s(f, 0, b + FN_BASE));
		l[k].median_days = rows_null(f, 0, b + FN_MEDIAN) ? NAN : rows_num(f, 0, b + FN_MEDIAN);
	}
}

double
pipeline_conversion(const struct layer *l, int k)
{
	if (k < 0 || k > 3 || l[k].base <= 0 || l[k + 1].reached < 0)
		return NAN;
	return (double)l[k + 1].reached / (double)l[k].base;
}

int
pipeline_stalled(const struct ctx *c, const struct rows *d, int i)
{
	return !rows_null(d, i, PD_DAYS) && atoi(rows_s(d, i, PD_DAYS)) > c->cfg->metrics_stall_days;
}

int
h_pipeline(struct ctx *c, const char *arg)
{
	(void)arg;
	static const enum query parts[] = { Q_FUNNEL, Q_PIPELINE_DEALS, Q_LOST_REASONS,
	                                    Q_WIN_SOURCE };
	PGresult *r[4];
	if (scoped_batch(c, parts, 4, 0, NULL, r) != 0)
		return -1;
	struct rows f;
	struct pipeline_view v;
	rows_bind(&f, r[0], funnel_cols, FN__N);
	rows_bind(&v.deals, r[1], pdeal_cols, PD__N);
	rows_bind(&v.lost, r[2], lost_cols, LR__N);
	rows_bind(&v.sources, r[3], source_cols, WS__N);
	read_layers(&f, v.l);
	v.month = rows_num(&f, 0, FN_MONTH);
	v.quarter = rows_num(&f, 0, FN_QUARTER);
	v.as_of = db_val(f.res, 0, f.col[FN_AS_OF]);
	if (c->req->want_json)
		pipeline_json(c, &v);
	else
		pipeline_html(c, &v);
	rows_clear(&f);
	rows_clear(&v.deals);
	rows_clear(&v.lost);
	rows_clear(&v.sources);
	return 0;
}
