/* The query parameters of the panels, as one table (params.c): each has a
 * name, a validator and the message of the 400 that names it when its
 * value fails.  Each route (routes.c) declares the set it takes; they are
 * checked before its handler runs, so a handler reads only values that
 * passed.  A parameter a route does not take is ignored, as it always
 * was (and as kcgi does). */
#ifndef CRMX_PARAMS_H
#define CRMX_PARAMS_H

#include "config.h"
#include "request.h"

enum param {
	P_LANG,		/* any: an unknown language falls back */
	P_EMBED,	/* "1": a fragment for a side panel; anything else: a page */
	P_SAVED,	/* present: the page is read afresh after a form was stored */
	P_SORT,		/* a sort key of the accounts list */
	P_PAGE,		/* 1 .. 1,000,000 */
	P_SIZE,		/* 1 .. [fcgi] page_size_max */
	P_OWNER,	/* a user id, or empty (no filter) */
	P_REGION, P_CITY, P_CLASS, P_SEGMENT, P_GRADE,	/* filters: any text */
	P_Q,		/* a search term: up to LN_TERM_MAX bytes (listnav.h) */
	P_DSORT,	/* "sort": a sort key of the pipeline's deals */
	P_TEAM_SORT,	/* "sort" of the team view: one of its keys */
	P_TEAM,		/* "team" of the team view: one team's reps */
	P__MAX
};

#define PARAM(p)	(1u << (p))
/* What every route takes. */
#define PARAMS_COMMON	(PARAM(P_LANG) | PARAM(P_EMBED) | PARAM(P_SAVED))

/* The parameter's name in the query. */
const char *param_name(enum param p);

/* Checks every parameter in the set `takes` that the request carries, in
 * the table's order; NULL when all are valid, else the (translated)
 * message naming the first that is not. */
const char *params_check(unsigned takes, const struct request *r,
                         const struct crmx_config *cfg);

/* The accounts list's sort key: its index, or -1 (accounts.c). */
int accounts_sort(const char *key);
/* The pipeline's sort key: its index, or -1 (pipeline.c). */
int pipeline_sort(const char *key);
/* The team view's sort key: its index, or -1 (team.c). */
int team_sort(const char *key);

#endif
