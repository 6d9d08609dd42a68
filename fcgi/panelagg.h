/* The panels' sums from the latest run (0027): whether a request may read
 * them, and which owners changed since the run. */
#ifndef CRMX_PANELAGG_H
#define CRMX_PANELAGG_H

#include "panel.h"

/* The run's sums a page adds up: which changes make an owner's rows
 * read live in place of its stored ones (0037). */
enum agg_sums {
	AGG_ACCOUNTS,	/* regions, lists, their counts */
	AGG_DEALS,	/* the open deals: funnel, forecast, the team view's */
	AGG_CLOSED,	/* the deals closed in the run's window: lost, won */
	AGG__N
};

/* What a page reads of the run: its sums, its rows by owner (0032: not
 * when the run did not store its accounts' owners), its open deals' rows
 * by priority (0055: not when it stored no priorities, nor before its
 * day, when a priority stored may be below today's). */
enum agg_use { USE_SUMS, USE_OWNERS, USE_RANKED };

/* Whether the run serves WHAT for the viewer's scope now (what
 * panel_agg_begin* return, the scope left as it is): 1 or 0; -1: the
 * database failed.  For pages that send their statements together, each
 * with the owners changed for its sums (panel_agg_changed) as $1. */
int panel_agg_serves(struct ctx *c, enum agg_use what);
/* STORED (a *_AGG statement's result) when it has rows, else (NULL: the
 * run did not serve, none stored, or no rows) every row read now by LIVE
 * (no parameter but the scope); NULL: the database failed. */
PGresult *panel_agg_or_live(struct ctx *c, PGresult *stored, enum query live);
/* When the latest run stored usable sums: 1, *scope set to the viewer's
 * scope (c->v->owners, NULL: everyone; a *_AGG statement's scope
 * parameter) and c->v->owners to the owners changed since the run for
 * SUMS ("{...}", maybe "{}"), the statements' $1; panel_agg_end() gives
 * the scope back.  0: read the rows as before (nothing changed); -1: the
 * database failed (c->db_failed). */
int panel_agg_begin(struct ctx *c, enum agg_sums sums, char **scope);
/* The same for the run's rows by owner (0032), the accounts' sums: also
 * 0 when the run did not store its accounts' owners. */
int panel_agg_begin_owners(struct ctx *c, char **scope);
void panel_agg_end(struct ctx *c, char *scope);
/* Whether the run's whole rows per team serve (0056: stored, and today
 * is in the month of the run's day), after a panel_agg_begin that
 * returned 1. */
int panel_agg_whole(const struct ctx *c);
/* The owners changed for SUMS ("{...}"), after a panel_agg_begin that
 * returned 1. */
const char *panel_agg_changed(const struct ctx *c, enum agg_sums sums);
/* Whether no owner changed for SUMS since the run (panel_agg_changed is
 * "{}"): the quiet day's statements serve those sums. */
int panel_agg_unchanged(const struct ctx *c, enum agg_sums sums);
/* Whether a deal is marked changed since the run (Q_PANEL_AGG's
 * deals_marked), after a panel_agg_begin or panel_agg_serves that
 * returned 1. */
int panel_agg_deals_marked(const struct ctx *c);
/* What Q_VIEWER_AGG read of the run's sums for the viewer's scope (its
 * row, after auth_lookup), kept as Q_PANEL_AGG's would be. */
void panel_agg_take(struct ctx *c, const PGresult *viewer);
/* What the request learnt of the run's sums (read once per request and
 * scope): dropped at its end, or when it reads again on another
 * connection. */
void panel_agg_forget(struct ctx *c);

#endif
