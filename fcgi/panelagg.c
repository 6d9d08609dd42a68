/* The all-scope pages from the latest run's stored sums (0027): a page
 * over every owner reads the run's sums, less those of the owners whose
 * rows changed since the run's snapshot, plus those owners' rows as they
 * are now (the *_AGG statements of queries.c, $1 those owners).  The
 * owners are passed as the statements' $1 in place of the viewer's
 * scope, which for such a viewer is NULL (everyone). */
#include <stdlib.h>
#include <string.h>

#include "panelagg.h"
#include "util.h"

int
panel_agg_begin(struct ctx *c)
{
	if (c->v->owners != NULL)
		return 0;
	PGresult *res = scoped_query(c, Q_PANEL_AGG, 0, NULL);
	if (res == NULL)
		return -1;
	int use = PQntuples(res) == 1 && strcmp(db_val(res, 0, db_col(res, "usable")), "t") == 0;
	if (use)
		c->v->owners = xstrdup(db_val(res, 0, db_col(res, "owners")));
	PQclear(res);
	return use;
}

void
panel_agg_end(struct ctx *c)
{
	free(c->v->owners);
	c->v->owners = NULL;
}
