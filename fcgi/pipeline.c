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
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "panelagg.h"
#include "params.h"
#include "pipeline.h"
#include "util.h"
#include "scope.h"
#include "winfeature.h"

/* Q_FUNNEL: four columns per layer k (openK, amountK, weightedK, reachedK),
 * then the forecast and the run's as-of date. */
enum funnel_f { FN_OPEN, FN_AMOUNT, FN_WEIGHTED, FN_REACHED, FN_BASE, FN_MEDIAN, FN_PER };
#define FN_LAYER(k) "open" #k, "amount" #k, "weighted" #k, "reached" #k, "base" #k, \
	"median_days" #k
enum { FN_MONTH = 5 * FN_PER, FN_QUARTER, FN_AS_OF, FN_OPEN_ALL, FN__N };
static const char *const funnel_cols[FN__N] = {
	FN_LAYER(1), FN_LAYER(2), FN_LAYER(3), FN_LAYER(4), FN_LAYER(5),
	"month", "quarter", "as_of", "open_all",
};
static const char *const pdeal_cols[PD__N] = {
	"opportunity_id", "name", "account", "stage", "amount", "probability", "days",
	"account_id", "total", "learned", "keeps_weights",
};
static const char *const lost_cols[LR__N] = { "lost_reason", "deals", "amount" };
static const char *const source_cols[WS__N] = { "source", "won", "lost" };

/* The deals' sort keys, as Q_PIPELINE_DEALS knows them. */
static const char *const deal_sorts[] = { "priority", "amount", "days", "account", "name" };

int
pipeline_sort(const char *key)
{
	for (size_t i = 0; i < sizeof deal_sorts / sizeof *deal_sorts; i++)
		if (strcmp(key, deal_sorts[i]) == 0)
			return (int)i;
	return -1;
}

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

/* The statement for the page: without a search the total is known (the
 * funnel's count), and over everyone by priority or amount only the deals
 * that may make the page are ranked, down to [fcgi] pipeline_top_max rows;
 * a scope's deals, or pages past that, by priority in its one order.  By
 * priority down to that depth, deals_fetch reads the run's stored rows
 * instead when they serve. */
static enum query
deals_query(const struct ctx *c, const struct pipeline_view *v, const struct listnav *l)
{
	if (v->q != NULL)
		return Q_PIPELINE_DEALS;
	int prio = strcmp(v->sort, "priority") == 0;
	if (c->v->owners != NULL || l->page * l->size + 1 > c->cfg->fcgi_pipeline_top_max)
		return prio ? Q_PIPELINE_PAGE_PRIO : Q_PIPELINE_PAGE;
	if (prio)
		return Q_PIPELINE_TOP;
	if (strcmp(v->sort, "amount") == 0)
		return Q_PIPELINE_TOP_AMOUNT;
	return Q_PIPELINE_PAGE;
}

/* The page's links and size: search, sort, page and size of the request. */
static void
deals_nav(struct ctx *c, struct pipeline_view *v)
{
	const struct request *r = c->req;
	const char *sort = request_param(r, "sort"), *p = request_param(r, "page");
	const char *s = request_param(r, "size");
	struct listnav *l = &v->nav;
	ln_init(l, c, "/crmx/pipeline");
	l->size = 100;
	v->q = request_param(r, "q");
	v->sort = sort != NULL && pipeline_sort(sort) >= 0 ? sort : "priority";
	if (p != NULL && parse_int64(p, 1, 1000000, &l->page) != 0)
		l->page = 1;
	if (s != NULL && parse_int64(s, 1, c->cfg->fcgi_page_size_max, &l->size) != 0)
		l->size = 100;
	ln_keep(l, "q", v->q);
	ln_keep(l, "owner", request_param(r, "owner"));
	ln_keep(l, "sort", v->sort);
	snprintf(v->sizebuf, sizeof v->sizebuf, "%lld", (long long)l->size);
	if (l->size != 100)
		ln_keep(l, "size", v->sizebuf);
}

/* The page of deals the request asks for, its total and the links that
 * keep search, sort and size (OPEN_ALL: the open deals in scope); -1 when
 * the database failed. */
static int
deals_fetch(struct ctx *c, struct pipeline_view *v, const char *open_all)
{
	char pat[2 * LN_TERM_MAX + 3], lim[24], off[24];
	struct listnav *l = &v->nav;
	deals_nav(c, v);
	snprintf(lim, sizeof lim, "%lld", (long long)l->size + 1);
	snprintf(off, sizeof off, "%lld", (long long)((l->page - 1) * l->size));
	const char *extra[5] = { ln_pattern(v->q, pat, sizeof pat), v->sort, lim, off, open_all };
	enum query q = deals_query(c, v, l);
	/* these: $2 the limit, $3 the offset, $4 the total */
	int top = q == Q_PIPELINE_TOP || q == Q_PIPELINE_TOP_AMOUNT || q == Q_PIPELINE_PAGE_PRIO;
	PGresult *res;
	char *scope;
	/* from the run's stored rows when they serve ($1 the owners changed):
	 * over everyone, Q_PIPELINE_TOP's pages; of a scope, its pages by
	 * priority down to [fcgi] pipeline_top_max rows too (deeper: ranked
	 * as before) */
	int scoped = q == Q_PIPELINE_PAGE_PRIO && c->v->owners != NULL &&
	    l->page * l->size + 1 <= c->cfg->fcgi_pipeline_top_max;
	int ranked = (q == Q_PIPELINE_TOP && c->v->owners == NULL) || scoped ?
	    panel_agg_begin_ranked(c, &scope) : 0;
	if (ranked < 0)
		return -1;
	if (ranked && scoped) {	/* $2 the scope */
		const char *p[4] = { scope, lim, off, open_all };
		res = scoped_query(c, Q_PIPELINE_PAGE_PRIO_RUN, 4, p);
		panel_agg_end(c, scope);
	} else if (ranked) {
		res = scoped_query(c, Q_PIPELINE_TOP_RUN, 3, extra + 2);
		panel_agg_end(c, scope);
	} else {
		res = top ? scoped_query(c, q, 3, extra + 2) :
		    scoped_query(c, q, q == Q_PIPELINE_DEALS ? 4 : 5, extra);
	}
	if (res == NULL)
		return -1;
	rows_bind(&v->deals, res, pdeal_cols, PD__N);
	l->more = v->deals.n > l->size;
	l->shown = l->more ? (int)l->size : v->deals.n;
	if (v->deals.n > 0) {
		l->total = atoll(rows_s(&v->deals, 0, PD_TOTAL));
		if (!rows_null(&v->deals, 0, PD_KEEPS))
			v->keeps = winfeature_keeps_note(rows_s(&v->deals, 0, PD_KEEPS));
	} else if (q != Q_PIPELINE_DEALS) {
		l->total = atoll(open_all);
	} else if (l->page > 1) {	/* past the last page: no row carries it */
		PGresult *cnt = scoped_query(c, Q_PIPELINE_COUNT, 1, extra);
		if (cnt == NULL)
			return -1;
		l->total = atoll(db_val(cnt, 0, db_col(cnt, "total")));
		PQclear(cnt);
	}
	return 0;
}

/* One rep's forecast accuracy, when the scope is one owner; -1: failed. */
static int
owner_accuracy(struct ctx *c, struct pipeline_view *v)
{
	int64_t id;
	v->one_owner = scope_single(c->v->owners, &id);
	if (!v->one_owner)
		return 0;
	/* from the run's won amounts by month (0044) as the team view reads
	 * them: 0.1 ms where reading the rep's won deals took 0.3 */
	PGresult *res = panel_agg_fetch(c, AGG_CLOSED, AGG__N, Q_FORECAST_ACCURACY_AGG,
	                                Q_FORECAST_ACCURACY, 0, NULL);
	if (res == NULL)
		return -1;
	accuracy_read(res, &id, &v->acc, 1);
	PQclear(res);
	return 0;
}

/* The funnel, the lost reasons and the win rate by source (parts), in one
 * round trip; from the run's sums when they serve (panelagg.h): the
 * funnel's with the owners changed for the open deals' sums, the other
 * two's with those changed for the closed deals' (a second round trip
 * when they differ). */
static int
funnel_fetch(struct ctx *c, const enum query *parts, const enum query *sums, PGresult **r)
{
	char *scope;
	int agg = panel_agg_begin(c, AGG_DEALS, &scope);
	if (agg <= 0)
		return agg < 0 ? -1 : scoped_batch(c, parts, 3, 0, NULL, r);
	const char *extra[1] = { scope };
	int n = strcmp(panel_agg_changed(c, AGG_DEALS), panel_agg_changed(c, AGG_CLOSED)) ? 1 : 3;
	int rc = scoped_batch(c, sums, n, 1, extra, r);
	panel_agg_end(c, scope);
	if (rc != 0 || n == 3)
		return rc;
	if (panel_agg_begin(c, AGG_CLOSED, &scope) != 1)	/* as read above */
		return -1;
	extra[0] = scope;
	rc = scoped_batch(c, sums + 1, 2, 1, extra, r + 1);
	panel_agg_end(c, scope);
	return rc;
}

int
h_pipeline(struct ctx *c, const char *arg)
{
	(void)arg;
	struct rows f;
	struct pipeline_view v;
	memset(&v, 0, sizeof v);
	/* ?owner= narrows the viewer's scope to that owner (scope.h) for the
	 * fetch only: the page around it is the viewer's. */
	char *saved;
	scope_narrow(c, request_param(c->req, "owner"), &saved);
	/* the funnel, the lost reasons and the win rate by source in one
	 * round trip; the page of deals (its statement depends on the
	 * request's search, sort and page) after it */
	static const enum query parts[] = { Q_FUNNEL, Q_LOST_REASONS, Q_WIN_SOURCE };
	static const enum query sums[] = { Q_FUNNEL_AGG, Q_LOST_REASONS_AGG, Q_WIN_SOURCE_AGG };
	PGresult *r[3] = { NULL, NULL, NULL };
	int rc = -1;
	if (owner_accuracy(c, &v) == 0 && funnel_fetch(c, parts, sums, r) == 0)
		rc = deals_fetch(c, &v, db_val(r[0], 0, db_col(r[0], "open_all")));
	scope_restore(c, saved);
	if (rc != 0) {
		for (int i = 0; i < 3; i++)
			PQclear(r[i]);
		rows_clear(&v.deals);
		return -1;
	}
	rows_bind(&f, r[0], funnel_cols, FN__N);
	rows_bind(&v.lost, r[1], lost_cols, LR__N);
	rows_bind(&v.sources, r[2], source_cols, WS__N);
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
