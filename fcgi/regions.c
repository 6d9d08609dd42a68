/* /crmx/regions: the viewer's accounts grouped by region and city, for
 * planning visits — how many accounts each city has, how many are
 * precise customers (need, ability to pay and decision maker all
 * confirmed), their revenue and open deals, and the largest precise
 * customers to visit first.  Filters: class, segment, region.
 * This file fetches (by column name) and dispatches; the writers are
 * regions_html.c and regions_json.c. */
#include "panelagg.h"
#include "regions.h"

static const char *const region_cols[RG__N] = {
	"region", "city", "n", "np", "na", "rev", "deals", "top",
};

int
h_regions(struct ctx *c, const char *arg)
{
	(void)arg;
	const char *fv[3] = { request_param(c->req, "class"), request_param(c->req, "segment"),
	                      request_param(c->req, "region") };
	for (int i = 0; i < 3; i++)
		if (fv[i] != NULL && fv[i][0] == '\0')
			fv[i] = NULL;
	/* unfiltered by class or segment: the run's sums (panelagg.h) */
	char *scope = NULL;
	int agg = fv[0] == NULL && fv[1] == NULL ? panel_agg_begin(c, AGG_ACCOUNTS, &scope) : 0;
	if (agg < 0)
		return -1;
	const char *p[4] = { fv[0], fv[1], fv[2], scope };
	PGresult *r = scoped_query(c, agg ? Q_REGIONS_AGG : Q_REGIONS, agg ? 4 : 3, p);
	if (agg)
		panel_agg_end(c, scope);
	if (r == NULL)
		return -1;
	struct regions_view v;
	rows_bind(&v.cities, r, region_cols, RG__N);
	if (c->req->want_json)
		regions_json(c, &v);
	else
		regions_html(c, &v);
	rows_clear(&v.cities);
	return 0;
}
