/* /crmx/regions: the viewer's accounts grouped by region and city, for
 * planning visits — how many accounts each city has, how many are
 * precise customers (need, ability to pay and decision maker all
 * confirmed), their revenue and open deals, and the largest precise
 * customers to visit first.  Filters: class, segment, region. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel.h"
#include "util.h"

int
h_regions(struct ctx *c, const char *arg)
{
	(void)arg;
	const char *fv[3] = { request_param(c->req, "class"), request_param(c->req, "segment"),
	                      request_param(c->req, "region") };
	for (int i = 0; i < 3; i++)
		if (fv[i] != NULL && fv[i][0] == '\0')
			fv[i] = NULL;
	PGresult *r = scoped_query(c, Q_REGIONS, 3, fv);
	if (r == NULL)
		return -1;
	int n = PQntuples(r);
	const char *cur = c->cfg->metrics_currency;
	if (c->req->want_json) {
		json_t *cities = json_array();
		for (int i = 0; i < n; i++) {
			json_t *top = json_loads(PQgetvalue(r, i, 7), 0, NULL);
			json_array_append_new(cities, json_pack("{s:s, s:s, s:i, s:i, s:i, s:o, s:o, s:o}",
			    "region", PQgetvalue(r, i, 0), "city", PQgetvalue(r, i, 1),
			    "accounts", atoi(PQgetvalue(r, i, 2)), "precise", atoi(PQgetvalue(r, i, 3)),
			    "class_a", atoi(PQgetvalue(r, i, 4)), "revenue_window", jnum_val(r, i, 5),
			    "open_deals", jnum_val(r, i, 6), "top_precise", top ? top : json_array()));
		}
		send_json(c, json_pack("{s:o}", "cities", cities));
		PQclear(r);
		return 0;
	}
	struct out *o = c->out;
	char b[64];
	page_begin(c, _("Accounts by region and city"));
	out_raw(o, "<h1>");
	html_text(o, _("Accounts by region and city"));
	out_raw(o, "</h1><p class=\"meta\">");
	html_text(o, _("Plan visits where the precise customers are: need, ability to pay and "
	               "decision maker confirmed."));
	out_raw(o, "</p><table class=\"list\"><tr>");
	static const char *const heads[] = { N_("City"), N_("Accounts"), N_("Precise customers"),
	                                     N_("Class A"), N_("Revenue, 12 months"),
	                                     N_("Open deals"), N_("Visit first") };
	for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
		out_raw(o, i >= 1 && i <= 5 ? "<th class=\"num\">" : "<th>");
		html_text(o, _(heads[i]));
		out_raw(o, "</th>");
	}
	out_raw(o, "</tr>");
	const char *region = NULL;
	for (int i = 0; i < n; i++) {
		if (region == NULL || strcmp(region, PQgetvalue(r, i, 0)) != 0) {
			region = PQgetvalue(r, i, 0);
			out_raw(o, "<tr class=\"group\"><th colspan=\"7\">");
			html_text(o, region[0] ? region : _("No region"));
			out_raw(o, "</th></tr>");
		}
		out_raw(o, "<tr><td>");
		html_text(o, PQgetvalue(r, i, 1)[0] ? PQgetvalue(r, i, 1) : _("No city"));
		for (int k = 2; k <= 4; k++) {
			out_raw(o, "</td><td class=\"num\">");
			html_text(o, PQgetvalue(r, i, k));
		}
		out_raw(o, "</td><td class=\"num\">");
		fmt_money(b, sizeof b, atof(PQgetvalue(r, i, 5)), cur, 1, c->lang);
		html_num(o, b);
		out_raw(o, "</td><td class=\"num\">");
		html_text(o, PQgetvalue(r, i, 6));
		out_raw(o, "</td><td>");
		json_t *top = json_loads(PQgetvalue(r, i, 7), 0, NULL);
		size_t k;
		json_t *pair;
		json_array_foreach(top, k, pair) {
			out_rawf(o, "%s<a href=\"/crmx/accounts/%lld\">", k ? ", " : "",
			         (long long)json_integer_value(json_array_get(pair, 0)));
			html_text(o, json_string_value(json_array_get(pair, 1)));
			out_raw(o, "</a>");
		}
		json_decref(top);
		out_raw(o, "</td></tr>");
	}
	out_raw(o, "</table>");
	page_end(c);
	PQclear(r);
	return 0;
}
