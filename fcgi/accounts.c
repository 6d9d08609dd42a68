/* /crmx/accounts: the accounts the viewer may see, with their metrics;
 * filters (owner, region, city, class, segment, grade), sort and pages.
 * Filters are $n parameters that are NULL when unused, so one statement
 * serves every combination.  This file reads the parameters, fetches (by
 * column name) and dispatches; the writers are accounts_html.c and
 * accounts_json.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "panelagg.h"
#include "params.h"
#include "scope.h"
#include "util.h"

/* Sort keys: the request names one of these, never SQL. */
static const struct {
	const char	*key;
	enum query	 q;
	enum query	 deep;		/* for pages past DEEP_ROWS */
	enum query	 walk;		/* a search with many matches */
	enum query	 owned;		/* a scope of owners, unsearched */
	enum query	 all;		/* everyone's, unfiltered and unsearched */
} sorts[] = {
	{ "revenue", Q_ACCOUNTS_REVENUE, Q_ACCOUNTS_REVENUE_DEEP, Q_ACCOUNTS_REVENUE_WALK,
	  Q_ACCOUNTS_REVENUE_OWNED, Q_ACCOUNTS_REVENUE_ALL },
	{ "ltv", Q_ACCOUNTS_LTV, Q_ACCOUNTS_LTV_DEEP, Q_ACCOUNTS_LTV_WALK, Q_ACCOUNTS_LTV_OWNED,
	  Q_ACCOUNTS_LTV_ALL },
	{ "name", Q_ACCOUNTS_NAME, Q_ACCOUNTS_NAME, Q__MAX, Q_ACCOUNTS_NAME_OWNED, Q__MAX },
	{ "activity", Q_ACCOUNTS_ACTIVITY, Q_ACCOUNTS_ACTIVITY_DEEP, Q_ACCOUNTS_ACTIVITY_WALK,
	  Q_ACCOUNTS_ACTIVITY_OWNED, Q_ACCOUNTS_ACTIVITY_ALL },
};
/* Up to this many rows (the page's end), a list sorted by a run's figure
 * is read from the run's index in order; further down, by one sort of
 * every row (queries.c, ACCOUNTS_TOPN). */
#define DEEP_ROWS 5000

const char *const accounts_filters[NFILTERS] = {
	"owner", "region", "city", "class", "segment", "grade",
};

static const char *const list_cols[LS__N] = {
	"account_id", "name", "region", "city", "owner", "abc_class", "revenue_window",
	"hist_ltv", "ltv_pred", "p_alive", "segment", "qual_grade", "open_deals", "last_activity",
};

int
accounts_sort(const char *key)
{
	for (size_t i = 0; i < sizeof sorts / sizeof *sorts; i++)
		if (strcmp(key, sorts[i].key) == 0)
			return (int)i;
	return -1;
}

/* What every link of the list keeps: search, filters, sort, size. */
static void
list_nav(struct ctx *c, struct accounts_view *v)
{
	ln_init(&v->nav, c, "/crmx/accounts");
	ln_keep(&v->nav, "q", v->q);
	for (int i = 0; i < NFILTERS; i++)
		ln_keep(&v->nav, accounts_filters[i], v->fv[i]);
	ln_keep(&v->nav, "sort", v->sort);
	snprintf(v->sizebuf, sizeof v->sizebuf, "%lld", (long long)v->size);
	if (v->size != 50)
		ln_keep(&v->nav, "size", v->sizebuf);
	v->nav.page = v->page;
	v->nav.size = v->size;
}

/* The sort, page and filters of the request, each already valid
 * (params.c checked them against the route's parameters). */
static void
list_params(struct ctx *c, struct accounts_view *v, size_t *si)
{
	const struct request *r = c->req;
	const char *sort = request_param(r, "sort");
	*si = sort != NULL && accounts_sort(sort) > 0 ? (size_t)accounts_sort(sort) : 0;
	v->sort = sorts[*si].key;
	v->page = 1;
	v->size = 50;
	const char *p = request_param(r, "page"), *s = request_param(r, "size");
	if (p && parse_int64(p, 1, 1000000, &v->page) != 0)
		v->page = 1;
	if (s && parse_int64(s, 1, c->cfg->fcgi_page_size_max, &v->size) != 0)
		v->size = 50;
	for (int i = 0; i < NFILTERS; i++) {
		v->fv[i] = request_param(r, accounts_filters[i]);
		if (v->fv[i] != NULL && v->fv[i][0] == '\0')
			v->fv[i] = NULL;
	}
	v->q = request_param(r, "q");
	list_nav(c, v);
}

/* A scope's page from the run's rows by owner (queries.c,
 * ACCOUNTS_OWNED): 1 with *res (NULL when the database failed), 0 when
 * the run cannot serve it (panelagg.h). */
static int
list_owned(struct ctx *c, enum query owned, const char **extra, PGresult **res)
{
	char *scope;
	int agg = panel_agg_begin_owners(c, &scope);
	*res = NULL;
	if (agg <= 0)
		return agg < 0;
	extra[9] = scope;
	*res = scoped_query(c, owned, 10, extra);
	panel_agg_end(c, scope);
	return 1;
}

/* Whether the list has no filter and no search. */
static int
list_plain(const struct accounts_view *v)
{
	for (int i = 0; i < NFILTERS; i++)
		if (v->fv[i] != NULL)
			return 0;
	return v->q == NULL;
}

/* The page of rows by Q; a scope's unsearched list by OWNED (by name: the
 * accounts as they are; else when the run serves it); everyone's plain
 * list by ALL; a search with more than [fcgi] search_walk_min
 * matches (COUNT_CAP: only a capped count) tries
 * WALK first (queries.c, ACCOUNTS_WALK), which is exact only when it
 * filled the page; NULL when the database failed. */
static PGresult *
list_rows(struct ctx *c, struct accounts_view *v, const enum query *qs, const char **extra)
{
	enum query q = qs[0], walk = qs[1], owned = qs[2], all = qs[3];
	PGresult *res;
	if (all != Q__MAX && c->v->owners == NULL && list_plain(v))
		return scoped_query(c, all, 9, extra);
	if (owned == Q_ACCOUNTS_NAME_OWNED || owned == Q_ACCOUNTS_NAME_ZH_OWNED) {
		if (c->v->owners != NULL && v->q == NULL)	/* the accounts as they are */
			return scoped_query(c, owned, 9, extra);
	} else if (owned != Q__MAX && c->v->owners != NULL && v->q == NULL &&
	    list_owned(c, owned, extra, &res)) {
		return res;
	}
	if (walk != Q__MAX && v->q != NULL && v->total > c->cfg->fcgi_search_walk_min) {
		PGresult *w = scoped_query(c, walk, 9, extra);
		if (w == NULL || PQntuples(w) == v->size + 1)
			return w;
		PQclear(w);
	}
	return scoped_query(c, q, 9, extra);
}

/* Whether the run's sums can count the list: filtered by no more than
 * owner, region and city (queries.c, Q_ACCOUNTS_COUNT_AGG). */
static int
count_from_sums(const struct accounts_view *v)
{
	return v->q == NULL && v->fv[3] == NULL && v->fv[4] == NULL && v->fv[5] == NULL;
}

/* The list's capped total: from the run's sums when they can count it
 * and serve, else counted; NULL when the database failed. */
static PGresult *
list_count(struct ctx *c, const struct accounts_view *v, const char *const *extra)
{
	if (count_from_sums(v)) {
		char *scope;
		int agg = panel_agg_begin(c, AGG_ACCOUNTS, &scope);
		if (agg < 0)
			return NULL;
		if (agg) {
			const char *p[9];
			memcpy(p, extra, 8 * sizeof *p);
			p[8] = scope;
			PGresult *res = scoped_query(c, Q_ACCOUNTS_COUNT_AGG, 9, p);
			panel_agg_end(c, scope);
			return res;
		}
	}
	return scoped_query(c, Q_ACCOUNTS_COUNT, 8, extra);
}

/* Whether the page shows the owner control (its choices read): a list
 * of several owners' accounts as HTML. */
static int
wants_owners(const struct ctx *c)
{
	int64_t one;
	return !c->req->want_json && !scope_single(c->v->owners, &one);
}

/* The rows of each owner's and each team's list by revenue the run keeps
 * (0061: a first page of 50 and whether there is another): a page that
 * ends within them may be read from there. */
#define TOP_ROWS 51

/* The statement that may read a scope's plain list (its rows by OWNED) on
 * a quiet day from the first rows the run stored, a team's
 * (Q_ACCOUNTS_REVENUE_TEAM) or one owner's (Q_ACCOUNTS_REVENUE_OWNER): by
 * revenue, no owner changed for the accounts' sums, the page within those
 * rows; Q__MAX: none.  The statement tells the rest (the scope is a
 * team's users, no account of the page changed). */
static enum query
list_kept(const struct ctx *c, const struct accounts_view *v, enum query owned)
{
	int64_t one;
	if (owned != Q_ACCOUNTS_REVENUE_OWNED || !list_plain(v) ||
	    !panel_agg_unchanged(c, AGG_ACCOUNTS))
		return Q__MAX;
	if (v->page * v->size + 1 > TOP_ROWS)
		return Q__MAX;
	return scope_single(c->v->owners, &one) ? Q_ACCOUNTS_REVENUE_OWNER : Q_ACCOUNTS_REVENUE_TEAM;
}

/* A scope's plain list when the run's sums count it and its rows by owner
 * serve it (the manager's usual page): its count (EXTRA with CAP as $9),
 * its rows (EXTRA with LIM; a team's or an owner's first rows on a quiet
 * day, list_kept, and when those give none, by owner after them) and the
 * owner control's choices in one round trip, where one after the other
 * they took three.
 * 1 with r[0..2] set (r[2] NULL when no control), 0 when the page is not
 * such a list, -1 when the database failed. */
static int
list_piped(struct ctx *c, const struct accounts_view *v, enum query owned,
           const char **extra, const char *lim, PGresult **r)
{
	if (c->v->owners == NULL || !count_from_sums(v) || owned == Q__MAX ||
	    owned == Q_ACCOUNTS_NAME_OWNED || owned == Q_ACCOUNTS_NAME_ZH_OWNED)
		return 0;
	int sums = panel_agg_serves(c, USE_SUMS);
	int rows = sums > 0 ? panel_agg_serves(c, USE_OWNERS) : sums;
	if (rows <= 0)
		return rows;
	const char *changed = panel_agg_changed(c, AGG_ACCOUNTS);
	const char *count_p[9], *rows_p[10];
	memcpy(count_p, extra, 8 * sizeof *count_p);
	count_p[8] = c->v->owners;
	memcpy(rows_p, extra, 10 * sizeof *rows_p);
	rows_p[7] = lim;
	rows_p[9] = c->v->owners;
	const char *kept_p[3] = { c->v->owners, lim, extra[8] };
	enum query kept = list_kept(c, v, owned);
	struct scoped_call calls[3] = {
		{ Q_ACCOUNTS_COUNT_AGG, changed, 9, count_p },
		{ owned, changed, 10, rows_p },
		{ Q_LIST_OWNERS, c->v->owners, 0, NULL },
	};
	if (kept != Q__MAX)
		calls[1] = (struct scoped_call){ kept, changed, 3, kept_p };
	r[2] = NULL;
	if (scoped_calls(c, calls, wants_owners(c) ? 3 : 2, r) != 0)
		return -1;
	if (kept != Q__MAX && PQntuples(r[1]) == 0) {
		struct scoped_call again = { owned, changed, 10, rows_p };
		PQclear(r[1]);
		r[1] = NULL;
		if (scoped_calls(c, &again, 1, &r[1]) != 0) {
			PQclear(r[0]);
			PQclear(r[2]);
			r[0] = r[2] = NULL;
			return -1;
		}
	}
	return 1;
}

/* The page of rows (one more than shown: whether a next page exists)
 * and the capped total; -1 when the database failed. */
static int
list_fetch(struct ctx *c, struct accounts_view *v, const enum query *qs)
{
	char lim[24], off[24], cap[24];
	snprintf(lim, sizeof lim, "%lld", (long long)v->size + 1);
	snprintf(off, sizeof off, "%lld", (long long)((v->page - 1) * v->size));
	snprintf(cap, sizeof cap, "%d", COUNT_CAP + 1);
	const char *extra[10] = { v->fv[0], v->fv[1], v->fv[2], v->fv[3], v->fv[4], v->fv[5],
	                         ln_pattern(v->q, v->pat, sizeof v->pat), cap, off };
	PGresult *r[3] = { NULL, NULL, NULL };
	int piped = list_piped(c, v, qs[2], extra, lim, r);
	if (piped < 0)
		return -1;
	PGresult *cnt = piped ? r[0] : list_count(c, v, extra);
	if (cnt == NULL)
		return -1;
	v->total = atoll(db_val(cnt, 0, db_col(cnt, "total")));
	v->capped = v->total > COUNT_CAP;
	PQclear(cnt);
	extra[7] = lim;
	PGresult *res = piped ? r[1] : list_rows(c, v, qs, extra);
	if (res == NULL)
		return -1;
	rows_bind(&v->rows, res, list_cols, LS__N);
	v->more = v->rows.n > v->size;
	v->n = v->more ? (int)v->size : v->rows.n;
	v->nav.total = v->capped ? COUNT_CAP : v->total;
	v->nav.capped = v->capped;
	v->nav.shown = v->n;
	v->nav.more = v->more;
	if (wants_owners(c)) {
		/* the owner control's choices; a rep's list has none */
		static const char *const owner_cols[] = { "user_id", "name" };
		PGresult *o = piped ? r[2] : scoped_query(c, Q_LIST_OWNERS, 0, NULL);
		if (o == NULL) {
			rows_clear(&v->rows);
			return -1;
		}
		rows_bind(&v->owners, o, owner_cols, 2);
	}
	return 0;
}

int
h_accounts(struct ctx *c, const char *arg)
{
	(void)arg;
	struct accounts_view v;
	memset(&v, 0, sizeof v);
	size_t si;
	list_params(c, &v, &si);
	/* the statement, the search's walk, the scope's by owner, everyone's */
	enum query qs[4] = { sorts[si].q, sorts[si].walk, sorts[si].owned, sorts[si].all };
	if (qs[0] == Q_ACCOUNTS_NAME && c->lang == LANG_ZH_CN) {
		qs[0] = Q_ACCOUNTS_NAME_ZH;
		qs[2] = Q_ACCOUNTS_NAME_ZH_OWNED;
	}
	if (v.page * v.size > DEEP_ROWS) {
		qs[0] = sorts[si].deep == Q_ACCOUNTS_NAME ? qs[0] : sorts[si].deep;
		qs[1] = qs[2] = qs[3] = Q__MAX;
	}
	if (list_fetch(c, &v, qs) != 0)
		return -1;
	if (c->req->want_json)
		accounts_json(c, &v);
	else
		accounts_html(c, &v);
	rows_clear(&v.rows);
	if (v.owners.res != NULL)
		rows_clear(&v.owners);
	return 0;
}
