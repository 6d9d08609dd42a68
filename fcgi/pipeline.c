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

/* What the page reads, as one round trip (scoped_calls): the funnel, the
 * closed deals' parts (the lost reasons and the win rate by source, one
 * statement: Q_CLOSED_PARTS), the rep's forecast accuracy
 * when the scope is one owner, and the page of deals.  From the run's
 * sums when they serve (panelagg.h), each with the owners changed for
 * its sums: the funnel's for the open deals', the others' for the closed
 * deals'.  The page of deals does not wait for the funnel's count of
 * open deals, its total: that is set from the funnel afterwards.  One
 * after the other they took three to five round trips.  A search's page
 * is planned for its values (queries.c), a pipeline of its own: it
 * follows. */
enum { PF_FUNNEL, PF_CLOSED, PF_DEALS, PF_ACCURACY, PF__N };
struct pipeline_fetch {
	struct scoped_call	 call[PF__N];
	int			 index[PF__N];	/* each part's place in call[]; -1: none */
	int			 n;
	int			 sums;		/* from the run's sums */
	int			 quiet;		/* on a quiet day */
	enum query		 deals_q;	/* the page of deals' statement */
	char			 pat[2 * LN_TERM_MAX + 3], lim[24], off[24];
	const char		*scope[1], *deals[5];
};

static void
fetch_add(struct pipeline_fetch *f, int part, enum query q, const char *owners, int nextra,
          const char *const *extra)
{
	f->index[part] = f->n;
	f->call[f->n++] = (struct scoped_call){ q, owners, nextra, extra };
}

/* The page of deals' statement and parameters into f (its total NULL:
 * set afterwards); -1 when the database failed. */
static int
deals_call(struct ctx *c, struct pipeline_view *v, struct pipeline_fetch *f)
{
	struct listnav *l = &v->nav;
	deals_nav(c, v);
	snprintf(f->lim, sizeof f->lim, "%lld", (long long)l->size + 1);
	snprintf(f->off, sizeof f->off, "%lld", (long long)((l->page - 1) * l->size));
	const char **d = f->deals;
	enum query q = deals_query(c, v, l);
	f->deals_q = q;
	/* from the run's stored rows when they serve: over everyone,
	 * Q_PIPELINE_TOP's pages; of a scope, its pages by priority down to
	 * [fcgi] pipeline_top_max rows too (deeper: ranked as before) */
	int scoped = q == Q_PIPELINE_PAGE_PRIO && c->v->owners != NULL &&
	    l->page * l->size + 1 <= c->cfg->fcgi_pipeline_top_max;
	int ranked = (q == Q_PIPELINE_TOP && c->v->owners == NULL) || scoped ?
	    panel_agg_serves(c, USE_RANKED) : 0;
	if (ranked < 0)
		return -1;
	const char *changed = ranked ? panel_agg_changed(c, AGG_DEALS) : NULL;
	if (ranked && scoped) {	/* $2 the scope: a team's from its index (0057) */
		d[0] = c->v->owners, d[1] = f->lim, d[2] = f->off, d[3] = NULL;
		/* on a quiet day as the funnel's */
		enum query dq = !v->one_owner ?
		    (f->quiet ? Q_PIPELINE_TEAM_PRIO_QUIET : Q_PIPELINE_TEAM_PRIO_RUN) :
		    (f->quiet ? Q_PIPELINE_PRIO_QUIET : Q_PIPELINE_PAGE_PRIO_RUN);
		fetch_add(f, PF_DEALS, dq, changed, 4, d);
	} else if (ranked) {
		d[0] = f->lim, d[1] = f->off, d[2] = NULL;
		fetch_add(f, PF_DEALS, f->quiet ? Q_PIPELINE_TOP_QUIET : Q_PIPELINE_TOP_RUN, changed,
		          3, d);
	} else if (q == Q_PIPELINE_TOP || q == Q_PIPELINE_TOP_AMOUNT || q == Q_PIPELINE_PAGE_PRIO) {
		/* $2 the limit, $3 the offset, $4 the total */
		d[0] = f->lim, d[1] = f->off, d[2] = NULL;
		fetch_add(f, PF_DEALS, q, c->v->owners, 3, d);
	} else {
		d[0] = ln_pattern(v->q, f->pat, sizeof f->pat), d[1] = v->sort, d[2] = f->lim;
		d[3] = f->off, d[4] = NULL;
		if (q != Q_PIPELINE_DEALS)
			fetch_add(f, PF_DEALS, q, c->v->owners, 5, d);
	}
	return 0;
}

/* The parts' statements into f; -1 when the database failed. */
static int
fetch_calls(struct ctx *c, struct pipeline_view *v, struct pipeline_fetch *f)
{
	for (int i = 0; i < PF__N; i++)
		f->index[i] = -1;
	f->sums = panel_agg_serves(c, USE_SUMS);
	if (f->sums < 0)
		return -1;
	if (f->sums) {
		const char *deals = panel_agg_changed(c, AGG_DEALS);
		const char *closed = panel_agg_changed(c, AGG_CLOSED);
		f->scope[0] = c->v->owners;
		/* a page on a quiet day (as the viewer's row saw it, as it saw
		 * the owners changed: no owner of the scope changed for these
		 * sums, no deal marked): the sums as the run stored them, a
		 * team's (0060), the owners' or everyone's, without the plans
		 * for changes; on a busy day those statements would only be set
		 * up for nothing */
		f->quiet = panel_agg_unchanged(c, AGG_DEALS) &&
		    panel_agg_unchanged(c, AGG_CLOSED) && !panel_agg_deals_marked(c);
		fetch_add(f, PF_FUNNEL, f->quiet ? Q_FUNNEL_QUIET : Q_FUNNEL_AGG, deals, 1, f->scope);
		fetch_add(f, PF_CLOSED, f->quiet ? Q_CLOSED_PARTS_QUIET : Q_CLOSED_PARTS_AGG, closed, 1,
		          f->scope);
		/* from the run's won amounts by month (0044) as the team view
		 * reads them: 0.1 ms where reading the rep's won deals took 0.3 */
		if (v->one_owner)
			fetch_add(f, PF_ACCURACY, accuracy_agg_query(c), closed, 1, f->scope);
	} else {
		fetch_add(f, PF_FUNNEL, Q_FUNNEL, c->v->owners, 0, NULL);
		fetch_add(f, PF_CLOSED, Q_CLOSED_PARTS, c->v->owners, 0, NULL);
		if (v->one_owner)
			fetch_add(f, PF_ACCURACY, Q_FORECAST_ACCURACY, c->v->owners, 0, NULL);
	}
	return deals_call(c, v, f);
}

/* The page of deals from its result (NULL: a search's, read now), its
 * total the funnel's count of open deals OPEN_ALL but for a search;
 * -1 when the database failed. */
static int
deals_read(struct ctx *c, struct pipeline_view *v, const struct pipeline_fetch *f,
           PGresult *res, const char *open_all)
{
	struct listnav *l = &v->nav;
	enum query q = f->deals_q;
	if (res == NULL) {	/* the search: $2 the pattern, $3 the sort, $4 rows from $5 */
		res = scoped_query(c, Q_PIPELINE_DEALS, 4, f->deals);
		if (res == NULL)
			return -1;
	}
	rows_bind(&v->deals, res, pdeal_cols, PD__N);
	l->more = v->deals.n > l->size;
	l->shown = l->more ? (int)l->size : v->deals.n;
	if (v->deals.n > 0 && !rows_null(&v->deals, 0, PD_KEEPS))
		v->keeps = winfeature_keeps_note(rows_s(&v->deals, 0, PD_KEEPS));
	if (q != Q_PIPELINE_DEALS) {
		l->total = atoll(open_all);
	} else if (v->deals.n > 0) {
		l->total = atoll(rows_s(&v->deals, 0, PD_TOTAL));
	} else if (l->page > 1) {	/* past the last page: no row carries it */
		PGresult *cnt = scoped_query(c, Q_PIPELINE_COUNT, 1, f->deals);
		if (cnt == NULL)
			return -1;
		l->total = atoll(db_val(cnt, 0, db_col(cnt, "total")));
		PQclear(cnt);
	}
	return 0;
}

/* The rep's forecast accuracy from its result; none stored for the rep:
 * read from the won deals.  -1 when the database failed. */
static int
accuracy_take(struct ctx *c, struct pipeline_view *v, const struct pipeline_fetch *f,
              PGresult *res)
{
	int64_t id;
	scope_single(c->v->owners, &id);
	if (f->sums && (res = panel_agg_or_live(c, res, Q_FORECAST_ACCURACY)) == NULL)
		return -1;
	accuracy_read(res, &id, &v->acc, 1);
	PQclear(res);
	return 0;
}

/* Every part of the page into v, r[PF_FUNNEL..PF_CLOSED] kept for the
 * caller; -1 when the database failed (r[] cleared). */
static int
pipeline_fetch(struct ctx *c, struct pipeline_view *v, PGresult **r)
{
	struct pipeline_fetch f;
	memset(&f, 0, sizeof f);
	int64_t id;
	v->one_owner = scope_single(c->v->owners, &id);
	PGresult *out[PF__N] = { NULL };
	if (fetch_calls(c, v, &f) != 0 || scoped_calls(c, f.call, f.n, out) != 0)
		return -1;
	for (int i = PF_FUNNEL; i <= PF_CLOSED; i++)
		r[i] = out[f.index[i]];
	PGresult *deals = f.index[PF_DEALS] >= 0 ? out[f.index[PF_DEALS]] : NULL;
	int rc = 0;
	if (f.index[PF_ACCURACY] >= 0 && accuracy_take(c, v, &f, out[f.index[PF_ACCURACY]]) != 0)
		rc = -1;
	if (rc == 0)
		rc = deals_read(c, v, &f, deals, db_val(r[PF_FUNNEL], 0,
		                db_col(r[PF_FUNNEL], "open_all")));
	else
		PQclear(deals);
	if (rc != 0)
		for (int i = PF_FUNNEL; i <= PF_CLOSED; i++) {
			PQclear(r[i]);
			r[i] = NULL;
		}
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
	PGresult *r[2] = { NULL, NULL };
	int rc = pipeline_fetch(c, &v, r);
	scope_restore(c, saved);
	if (rc != 0) {
		rows_clear(&v.deals);
		return -1;
	}
	rows_bind(&f, r[0], funnel_cols, FN__N);
	rows_bind_part(&v.lost, r[1], "lost", lost_cols, LR__N);
	rows_bind_part(&v.sources, r[1], "source", source_cols, WS__N);
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
	PQclear(r[1]);		/* v.lost's and v.sources' */
	return 0;
}
