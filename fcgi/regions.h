/* The regions panel's data, fetched once (regions.c) and drawn by one
 * writer per format (regions_html.c, regions_json.c). */
#ifndef CRMX_REGIONS_H
#define CRMX_REGIONS_H

#include "panel.h"

/* Fields of Q_REGIONS (named in regions.c). */
enum region_f { RG_REGION, RG_CITY, RG_ACCOUNTS, RG_PRECISE, RG_CLASS_A, RG_REVENUE,
	        RG_OPEN_DEALS, RG_TOP, RG__N };

struct regions_view {
	struct rows	 cities;	/* one row per region and city */
};

void regions_html(struct ctx *c, const struct regions_view *v);
void regions_json(struct ctx *c, const struct regions_view *v);

#endif
