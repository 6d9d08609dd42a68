/* The regions panel as JSON (data: regions.c). */
#include <stdlib.h>

#include "regions.h"

void
regions_json(struct ctx *c, const struct regions_view *v)
{
	const struct rows *r = &v->cities;
	json_t *cities = json_array();
	for (int i = 0; i < r->n; i++) {
		json_t *top = json_loads(rows_s(r, i, RG_TOP), 0, NULL);
		json_array_append_new(cities, json_pack("{s:s, s:s, s:i, s:i, s:i, s:o, s:o, s:o}",
		    "region", rows_s(r, i, RG_REGION), "city", rows_s(r, i, RG_CITY),
		    "accounts", atoi(rows_s(r, i, RG_ACCOUNTS)),
		    "precise", atoi(rows_s(r, i, RG_PRECISE)),
		    "class_a", atoi(rows_s(r, i, RG_CLASS_A)), "revenue_window", rows_jnum(r, i, RG_REVENUE),
		    "open_deals", rows_jnum(r, i, RG_OPEN_DEALS), "top_precise", top ? top : json_array()));
	}
	send_json(c, json_pack("{s:o}", "cities", cities));
}
