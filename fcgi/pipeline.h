/* The pipeline panel's data, fetched once (pipeline.c) and drawn by one
 * writer per format (pipeline_html.c, pipeline_json.c). */
#ifndef CRMX_PIPELINE_H
#define CRMX_PIPELINE_H

#include "listnav.h"
#include "panel.h"
#include "team.h"

/* One funnel layer as Q_FUNNEL's row holds it. */
struct layer {
	int	 open;
	long	 reached;	/* -1: no metrics run yet */
	long	 base;		/* of those, left the layer or closed; -1: not known */
	double	 amount, weighted;
	double	 median_days;	/* in the layer, over all deals (NAN: none) */
};

/* Fields of Q_PIPELINE_DEALS (named in pipeline.c). */
enum pdeal_f { PD_ID, PD_NAME, PD_ACCOUNT, PD_STAGE, PD_AMOUNT, PD_PROBABILITY, PD_DAYS,
               PD_ACCOUNT_ID, PD_TOTAL, PD_LEARNED, PD_KEEPS, PD__N };

struct pipeline_view {
	struct layer	 l[5];
	double		 month, quarter;	/* weighted forecast */
	const char	*as_of;			/* of the reached counts; NULL: no run yet */
	struct rows	 deals;			/* a page of the open deals */
	const char	*q, *sort;		/* search term (NULL: none), sort key */
	struct listnav	 nav;			/* count, pager, links (listnav.h) */
	char		 sizebuf[24];
	int		 one_owner;		/* one rep's pipeline (own, or ?owner=) */
	struct accuracy	 acc;			/* that rep's forecast accuracy */
	struct rows	 lost;			/* lost reasons, 12 months */
	struct rows	 sources;		/* won and lost by source, 12 months */
	const char	*keeps;			/* winfeature_keeps_note; NULL: none */
};

/* Q_CLOSED_PARTS: its part "lost", then its part "source" */
enum lost_f { LR_REASON, LR_DEALS, LR_AMOUNT, LR__N };
enum source_f { WS_SOURCE, WS_WON, WS_LOST, WS__N };

/* Conversion from layer k (0..3) to the next (docs/metrics.md §3, as the
 * report shows it): the deals created in the window that reached the next
 * layer over those that reached layer k and have left it or are closed.
 * NAN when not known. */
double pipeline_conversion(const struct layer *l, int k);

/* Whether deal i has been longer in its stage than [metrics] stall_days. */
int pipeline_stalled(const struct ctx *c, const struct rows *d, int i);

void pipeline_html(struct ctx *c, const struct pipeline_view *v);
void pipeline_json(struct ctx *c, const struct pipeline_view *v);

#endif
