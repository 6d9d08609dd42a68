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

static int
agg_begin(struct ctx *c, enum query q, char **scope)
{
	*scope = NULL;
	PGresult *res = scoped_query(c, q, 0, NULL);
	if (res == NULL)
		return -1;
	int use = PQntuples(res) == 1 && strcmp(db_val(res, 0, db_col(res, "usable")), "t") == 0;
	if (use) {
		*scope = c->v->owners;
		c->v->owners = xstrdup(db_val(res, 0, db_col(res, "owners")));
	}
	PQclear(res);
	return use;
}

int
panel_agg_begin(struct ctx *c, char **scope)
{
	return agg_begin(c, Q_PANEL_AGG, scope);
}

int
panel_agg_begin_owners(struct ctx *c, char **scope)
{
	return agg_begin(c, Q_PANEL_AGG_OWNERS, scope);
}

void
panel_agg_end(struct ctx *c, char *scope)
{
	free(c->v->owners);
	c->v->owners = scope;
}
