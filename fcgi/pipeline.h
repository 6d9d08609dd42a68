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
	double	 amount, weighted;
};

/* Fields of Q_PIPELINE_DEALS (named in pipeline.c). */
enum pdeal_f { PD_ID, PD_NAME, PD_ACCOUNT, PD_STAGE, PD_AMOUNT, PD_PROBABILITY, PD_DAYS,
               PD_ACCOUNT_ID, PD_TOTAL, PD__N };

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
};

/* Whether deal i has been longer in its stage than [metrics] stall_days. */
int pipeline_stalled(const struct ctx *c, const struct rows *d, int i);

void pipeline_html(struct ctx *c, const struct pipeline_view *v);
void pipeline_json(struct ctx *c, const struct pipeline_view *v);

#endif
