/* /crmx/pipeline: the funnel of the viewer's deals — open deals, amount
 * and weighted amount per stage, how many deals created in the last year
 * reached each stage (and so the stage-to-stage rate), the open deals in
 * order of priority with stalled ones flagged, and the weighted forecast
 * for this month and quarter (overdue deals count in this month).
 * This file fetches (by column name) and dispatches; the writers are
 * pipeline_html.c and pipeline_json.c. */
#include <stdlib.h>

#include "pipeline.h"
#include "scope.h"

/* Q_FUNNEL: four columns per layer k (openK, amountK, weightedK, reachedK),
 * then the forecast and the run's as-of date. */
enum funnel_f { FN_OPEN, FN_AMOUNT, FN_WEIGHTED, FN_REACHED };
#define FN_LAYER(k) "open" #k, "amount" #k, "weighted" #k, "reached" #k
enum { FN_MONTH = 20, FN_QUARTER, FN_AS_OF, FN__N };
static const char *const funnel_cols[FN__N] = {
	FN_LAYER(1), FN_LAYER(2), FN_LAYER(3), FN_LAYER(4), FN_LAYER(5),
	"month", "quarter", "as_of",
};
static const char *const pdeal_cols[PD__N] = {
	"opportunity_id", "name", "account", "stage", "amount", "probability", "days",
};

static void
read_layers(const struct rows *f, struct layer *l)
{
	for (int k = 0; k < 5; k++) {
		l[k].open = atoi(rows_s(f, 0, 4 * k + FN_OPEN));
		l[k].amount = rows_num(f, 0, 4 * k + FN_AMOUNT);
		l[k].weighted = rows_num(f, 0, 4 * k + FN_WEIGHTED);
		l[k].reached = rows_null(f, 0, 4 * k + FN_REACHED) ? -1 :
		               atol(rows_s(f, 0, 4 * k + FN_REACHED));
	}
}

int
pipeline_stalled(const struct ctx *c, const struct rows *d, int i)
{
	return !rows_null(d, i, PD_DAYS) && atoi(rows_s(d, i, PD_DAYS)) > c->cfg->metrics_stall_days;
}

/* One rep's forecast accuracy, when the scope is one owner; -1: failed. */
static int
owner_accuracy(struct ctx *c, struct pipeline_view *v)
{
	int64_t id;
	v->one_owner = scope_single(c->v->owners, &id);
	if (!v->one_owner)
		return 0;
	const char *extra[1] = { NULL };
	PGresult *res = scoped_query(c, Q_FORECAST_ACCURACY, 1, extra);
	if (res == NULL)
		return -1;
	accuracy_read(res, &id, &v->acc, 1);
	PQclear(res);
	return 0;
}

/* The pipeline's statements under the viewer's scope, narrowed by
 * ?owner= to that owner (scope.h) for the fetch only: the page around it
 * is the viewer's.  -1: the database failed. */
static int
pipeline_fetch(struct ctx *c, struct pipeline_view *v, struct rows *f)
{
	static const enum query parts[] = { Q_FUNNEL, Q_PIPELINE_DEALS };
	PGresult *r[2];
	char *saved;
	scope_narrow(c, request_param(c->req, "owner"), &saved);
	int rc = owner_accuracy(c, v) != 0 || scoped_batch(c, parts, 2, 0, NULL, r) != 0 ? -1 : 0;
	scope_restore(c, saved);
	if (rc != 0)
		return -1;
	rows_bind(f, r[0], funnel_cols, FN__N);
	rows_bind(&v->deals, r[1], pdeal_cols, PD__N);
	return 0;
}

int
h_pipeline(struct ctx *c, const char *arg)
{
	(void)arg;
	struct pipeline_view v;
	struct rows f;
	if (pipeline_fetch(c, &v, &f) != 0)
		return -1;
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
	return 0;
}
