/* The all-scope pages from the latest run's stored sums (0027): whether a
 * request may read them, and which owners changed since the run. */
#ifndef CRMX_PANELAGG_H
#define CRMX_PANELAGG_H

#include "panel.h"

/* For a viewer who sees every owner (c->v->owners NULL) and a run that
 * stored usable sums: 1, and c->v->owners set to the owners changed since
 * ("{...}", maybe "{}"), the $1 of the *_AGG statements; give it back
 * with panel_agg_end().  0: read every row as before (nothing changed);
 * -1: the database failed (c->db_failed). */
int panel_agg_begin(struct ctx *c);
void panel_agg_end(struct ctx *c);

#endif
