/* The panels' sums from the latest run (0027): a page reads the run's
 * sums (over everyone, or of its scope's owners), less those of the
 * owners whose rows changed since the run's snapshot, plus those owners'
 * rows as they are now (the *_AGG statements of queries.c: $1 those
 * owners, a later parameter the viewer's scope).  The changed owners take
 * the place of the scope as $1 for the statement's run. */
#include <stdlib.h>
#include <string.h>

#include "panelagg.h"
#include "util.h"

/* What Q_PANEL_AGG said, kept for the rest of the request: the accounts
 * list asks twice (its count from the sums, its rows by owner), and a
 * round trip costs both processes two switches. */
struct agg_memo {
	char	*scope;		/* the scope it was read for; NULL: everyone */
	int	 use;		/* usable */
	int	 use_owners;	/* usable_owners */
	int	 use_ranked;	/* usable_ranked */
	int	 use_whole;	/* usable_whole */
	int	 deals_marked;	/* deals_marked */
	char	*changed[AGG__N];	/* owners changed for each sums (0037) */
};

/* Q_PANEL_AGG's column of each enum agg_sums. */
static const char *const changed_col[AGG__N] = {
	[AGG_ACCOUNTS] = "owners_accounts", [AGG_DEALS] = "owners_deals",
	[AGG_CLOSED] = "owners_closed",
};

static int
same_scope(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* A boolean column's value: NULL (a run without a time zone) is false. */
static int
is_true(const char *v)
{
	return v != NULL && strcmp(v, "t") == 0;
}

/* The memo of row 0 of RES, Q_PANEL_AGG's columns (none, or RUN_COL
 * NULL: no run yet), read for SCOPE. */
static struct agg_memo *
memo_of(const PGresult *res, const char *run_col, const char *scope)
{
	struct agg_memo *m = xcalloc(1, sizeof *m);
	m->scope = scope != NULL ? xstrdup(scope) : NULL;
	if (PQntuples(res) == 1 && db_val(res, 0, db_col(res, run_col)) != NULL) {
		m->use = is_true(db_val(res, 0, db_col(res, "usable")));
		m->use_owners = is_true(db_val(res, 0, db_col(res, "usable_owners")));
		m->use_ranked = is_true(db_val(res, 0, db_col(res, "usable_ranked")));
		m->use_whole = is_true(db_val(res, 0, db_col(res, "usable_whole")));
		m->deals_marked = is_true(db_val(res, 0, db_col(res, "deals_marked")));
		for (int i = 0; i < AGG__N; i++)
			m->changed[i] = xstrdup(db_val(res, 0, db_col(res, changed_col[i])));
	}
	return m;
}

/* c->agg for the viewer's scope now; -1 when the database failed. */
static int
agg_read(struct ctx *c)
{
	if (c->agg != NULL && same_scope(c->agg->scope, c->v->owners))
		return 0;
	panel_agg_forget(c);
	PGresult *res = scoped_query(c, Q_PANEL_AGG, 0, NULL);
	if (res == NULL)
		return -1;
	c->agg = memo_of(res, "run_id", c->v->owners);
	query_note_run(c->conn, PQntuples(res) == 1 ? db_val(res, 0, db_col(res, "run_id")) : NULL);
	PQclear(res);
	return 0;
}

PGresult *
panel_agg_or_live(struct ctx *c, PGresult *stored, enum query live)
{
	if (stored != NULL && PQntuples(stored) > 0)
		return stored;
	PQclear(stored);	/* none stored (or no rows): read every row */
	return scoped_query(c, live, 0, NULL);
}

void
panel_agg_take(struct ctx *c, const PGresult *viewer)
{
	panel_agg_forget(c);
	c->agg = memo_of(viewer, "agg_run", c->v->owners);
}

int
panel_agg_serves(struct ctx *c, enum agg_use what)
{
	if (agg_read(c) != 0)
		return -1;
	return what == USE_OWNERS ? c->agg->use_owners :
	    what == USE_RANKED ? c->agg->use_ranked : c->agg->use;
}

static int
agg_begin(struct ctx *c, enum agg_sums sums, enum agg_use what, char **scope)
{
	*scope = NULL;
	int use = panel_agg_serves(c, what);
	if (use > 0) {
		*scope = c->v->owners;
		c->v->owners = xstrdup(c->agg->changed[sums]);
	}
	return use;
}

int
panel_agg_begin(struct ctx *c, enum agg_sums sums, char **scope)
{
	return agg_begin(c, sums, USE_SUMS, scope);
}

int
panel_agg_begin_owners(struct ctx *c, char **scope)
{
	return agg_begin(c, AGG_ACCOUNTS, USE_OWNERS, scope);
}

int
panel_agg_whole(const struct ctx *c)
{
	return c->agg->use_whole;
}

int
panel_agg_unchanged(const struct ctx *c, enum agg_sums sums)
{
	const char *o = c->agg->changed[sums];
	return o != NULL && strcmp(o, "{}") == 0;
}

int
panel_agg_deals_marked(const struct ctx *c)
{
	return c->agg->deals_marked;
}

const char *
panel_agg_changed(const struct ctx *c, enum agg_sums sums)
{
	return c->agg->changed[sums];
}

void
panel_agg_end(struct ctx *c, char *scope)
{
	free(c->v->owners);
	c->v->owners = scope;
}

void
panel_agg_forget(struct ctx *c)
{
	if (c->agg == NULL)
		return;
	free(c->agg->scope);
	for (int i = 0; i < AGG__N; i++)
		free(c->agg->changed[i]);
	free(c->agg);
	c->agg = NULL;
}
