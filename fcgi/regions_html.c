/* The regions panel as HTML (data: regions.c). */
#include <stdlib.h>
#include <string.h>

#include "regions.h"
#include "util.h"

static void
regions_head(struct ctx *c)
{
	struct out *o = c->out;
	out_raw(o, "<h1>");
	html_text(o, _("Accounts by region and city"));
	out_raw(o, "</h1><p class=\"meta\">");
	html_text(o, _("Plan visits where the precise customers are: need, ability to pay and "
	               "decision maker confirmed."));
	out_raw(o, "</p><table class=\"list regions\">");
	static const char *const heads[] = { N_("City"), N_("Accounts"), N_("Precise customers"),
	                                     N_("Class A"), N_("Revenue, 12 months"),
	                                     N_("Open deals"), N_("Visit first") };
	panel_thead(c, heads, 7, 0x3eu);	/* columns 1 to 5 are numbers */
}

/* The largest precise customers, a JSON array of [id, name]. */
static void
top_html(struct ctx *c, const char *text)
{
	json_t *top = json_loads(text, 0, NULL);
	size_t k;
	json_t *pair;
	json_array_foreach(top, k, pair) {
		out_rawf(c->out, "%s<a href=\"/crmx/accounts/%lld\">", k ? ", " : "",
		         (long long)json_integer_value(json_array_get(pair, 0)));
		html_text(c->out, json_string_value(json_array_get(pair, 1)));
		out_raw(c->out, "</a>");
	}
	json_decref(top);
}

static void
city_row(struct ctx *c, const struct rows *r, int i)
{
	struct out *o = c->out;
	char b[64];
	out_raw(o, "<tr>");
	panel_td(c, NULL, rows_s(r, i, RG_CITY)[0] ? rows_s(r, i, RG_CITY) : _("No city"));
	for (int f = RG_ACCOUNTS; f <= RG_CLASS_A; f++)
		panel_td_count(c, rows_s(r, i, f));
	fmt_money(b, sizeof b, rows_num(r, i, RG_REVENUE), c->cfg->metrics_currency, 1, c->lang);
	panel_td(c, "num", b);
	panel_td_count(c, rows_s(r, i, RG_OPEN_DEALS));
	out_raw(o, "<td>");
	top_html(c, rows_s(r, i, RG_TOP));
	out_raw(o, "</td></tr>");
}

void
regions_html(struct ctx *c, const struct regions_view *v)
{
	struct out *o = c->out;
	const struct rows *r = &v->cities;
	page_begin(c, _("Accounts by region and city"));
	regions_head(c);
	const char *region = NULL;
	for (int i = 0; i < r->n; i++) {
		if (region == NULL || strcmp(region, rows_s(r, i, RG_REGION)) != 0) {
			region = rows_s(r, i, RG_REGION);
			out_raw(o, "<tr class=\"group\"><th colspan=\"7\">");
			html_text(o, region[0] ? region : _("No region"));
			out_raw(o, "</th></tr>");
		}
		city_row(c, r, i);
	}
	out_raw(o, "</table>");
	page_end(c);
}
