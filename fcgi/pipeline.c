/* /crmx/pipeline: the funnel of the viewer's deals — open deals, amount
 * and weighted amount per stage, how many deals created in the last year
 * reached each stage (and so the stage-to-stage rate), the open deals in
 * order of priority with stalled ones flagged, and the weighted forecast
 * for this month and quarter (overdue deals count in this month). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel.h"
#include "util.h"

/* One funnel layer as Q_FUNNEL's row holds it. */
struct layer {
	int	 open;
	long	 reached;	/* -1: no metrics run yet */
	double	 amount, weighted;
};

static void
read_layers(PGresult *f, struct layer *l)
{
	for (int k = 0; k < 5; k++) {
		l[k].open = atoi(PQgetvalue(f, 0, 4 * k));
		l[k].amount = atof(PQgetvalue(f, 0, 4 * k + 1));
		l[k].weighted = atof(PQgetvalue(f, 0, 4 * k + 2));
		l[k].reached = PQgetisnull(f, 0, 4 * k + 3) ? -1 : atol(PQgetvalue(f, 0, 4 * k + 3));
	}
}

int
h_pipeline(struct ctx *c, const char *arg)
{
	(void)arg;
	static const enum query parts[] = { Q_FUNNEL, Q_PIPELINE_DEALS };
	PGresult *r[2];
	if (scoped_batch(c, parts, 2, 0, NULL, r) != 0)
		return -1;
	PGresult *f = r[0], *d = r[1];
	struct layer l[5];
	read_layers(f, l);
	double month = atof(PQgetvalue(f, 0, 20)), quarter = atof(PQgetvalue(f, 0, 21));
	int stall = c->cfg->metrics_stall_days;
	const char *cur = c->cfg->metrics_currency;
	if (c->req->want_json) {
		json_t *stages = json_array(), *deals = json_array();
		for (int k = 0; k < 5; k++)
			json_array_append_new(stages, json_pack("{s:i, s:i, s:f, s:f, s:o, s:o}",
			    "stage_rank", k + 1, "open", l[k].open, "amount", l[k].amount,
			    "weighted", l[k].weighted,
			    "reached", l[k].reached < 0 ? json_null() : json_integer(l[k].reached),
			    "to_next", k == 4 || l[k].reached <= 0 ? json_null() :
			    json_real((double)l[k + 1].reached / (double)l[k].reached)));
		for (int i = 0; i < PQntuples(d); i++)
			json_array_append_new(deals, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:b}",
			    "opportunity_id", (json_int_t)atoll(PQgetvalue(d, i, 0)),
			    "name", jstr_val(d, i, 1), "account", jstr_val(d, i, 2),
			    "stage", jstr_val(d, i, 3), "amount", jnum_val(d, i, 4),
			    "probability", jnum_val(d, i, 5), "days_in_stage", jnum_val(d, i, 6),
			    "stalled", !PQgetisnull(d, i, 6) && atoi(PQgetvalue(d, i, 6)) > stall));
		send_json(c, json_pack("{s:o, s:o, s:{s:f, s:f}, s:o}", "stages", stages, "deals", deals,
		    "forecast", "month", month, "quarter", quarter, "reached_as_of", jstr_val(f, 0, 22)));
		PQclear(f);
		PQclear(d);
		return 0;
	}
	struct out *o = c->out;
	char b[64];
	page_begin(c, _("Pipeline"));
	out_raw(o, "<h1>");
	html_text(o, _("Pipeline"));
	out_raw(o, "</h1><p class=\"meta\">");
	html_text(o, _("Weighted forecast"));
	out_raw(o, ": ");
	html_text(o, _("this month"));
	out_raw(o, " ");
	fmt_money(b, sizeof b, month, cur, 1, c->lang);
	html_num(o, b);
	out_raw(o, " \xC2\xB7 ");
	html_text(o, _("this quarter"));
	out_raw(o, " ");
	fmt_money(b, sizeof b, quarter, cur, 1, c->lang);
	html_num(o, b);
	out_raw(o, "</p><table class=\"list funnel\"><tr>");
	static const char *const heads[] = { N_("Stage"), N_("Open deals"), N_("Amount"),
	                                     N_("Weighted"), N_("Reached in 12 months"),
	                                     N_("On to the next stage") };
	for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
		out_raw(o, i ? "<th class=\"num\">" : "<th>");
		html_text(o, _(heads[i]));
		out_raw(o, "</th>");
	}
	out_raw(o, "</tr>");
	for (int k = 0; k < 5; k++) {
		out_rawf(o, "<tr><td>%d. ", k + 1);
		html_text(o, funnel_layer(k + 1, 0));
		out_rawf(o, "</td><td class=\"num\">%d</td><td class=\"num\">", l[k].open);
		fmt_money(b, sizeof b, l[k].amount, cur, 1, c->lang);
		html_num(o, b);
		out_raw(o, "</td><td class=\"num\">");
		fmt_money(b, sizeof b, l[k].weighted, cur, 1, c->lang);
		html_num(o, b);
		out_raw(o, "</td><td class=\"num\">");
		if (l[k].reached >= 0)
			out_rawf(o, "%ld", l[k].reached);
		else
			html_text(o, "\xE2\x80\x94");
		out_raw(o, "</td><td class=\"num\">");
		if (k < 4 && l[k].reached > 0) {
			fmt_percent(b, sizeof b, (double)l[k + 1].reached / (double)l[k].reached, 0);
			html_num(o, b);
		}
		out_raw(o, "</td></tr>");
	}
	out_raw(o, "</table><p class=\"asof\">");
	if (PQgetisnull(f, 0, 22)) {
		html_text(o, _("Metrics not computed yet."));
	} else {
		html_text(o, _("Reached: deals created in the 12 months up to"));
		out_raw(o, " ");
		html_text(o, PQgetvalue(f, 0, 22));
	}
	out_raw(o, "</p><h2>");
	html_text(o, _("Open deals by priority"));
	out_raw(o, "</h2><table class=\"list\"><tr><th>");
	html_text(o, _("Deal"));
	out_raw(o, "</th><th>");
	html_text(o, _("Account"));
	out_raw(o, "</th><th>");
	html_text(o, _("Stage"));
	out_raw(o, "</th><th class=\"num\">");
	html_text(o, _("Amount"));
	out_raw(o, "</th><th class=\"num\">");
	html_text(o, _("Days in stage"));
	out_raw(o, "</th></tr>");
	for (int i = 0; i < PQntuples(d); i++) {
		int stalled = !PQgetisnull(d, i, 6) && atoi(PQgetvalue(d, i, 6)) > stall;
		out_rawf(o, "<tr%s><td><a href=\"/crmx/deals/%lld\">", stalled ? " class=\"stalled\"" : "",
		         atoll(PQgetvalue(d, i, 0)));
		html_text(o, PQgetvalue(d, i, 1));
		out_raw(o, "</a></td><td>");
		html_text(o, PQgetvalue(d, i, 2));
		out_raw(o, "</td><td>");
		html_text(o, PQgetvalue(d, i, 3));
		out_raw(o, "</td><td class=\"num\">");
		fmt_money(b, sizeof b, atof(PQgetvalue(d, i, 4)), cur, 0, c->lang);
		html_num(o, b);
		out_raw(o, "</td><td class=\"num\">");
		html_text(o, PQgetvalue(d, i, 6));
		if (stalled) {
			out_raw(o, " <span class=\"flag\">");
			html_text(o, _("stalled"));
			out_raw(o, "</span>");
		}
		out_raw(o, "</td></tr>");
	}
	out_raw(o, "</table>");
	page_end(c);
	PQclear(f);
	PQclear(d);
	return 0;
}
