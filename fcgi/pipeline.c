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

int
h_pipeline(struct ctx *c, const char *arg)
{
	(void)arg;
	PGresult *f = scoped_query(c, Q_FUNNEL, 0, NULL);
	PGresult *d = f ? scoped_query(c, Q_PIPELINE_DEALS, 0, NULL) : NULL;
	if (d == NULL) {
		PQclear(f);
		return -1;
	}
	PGresult *fc = f;	/* the forecast rides on every funnel row */
	int stall = c->cfg->metrics_stall_days;
	const char *cur = c->cfg->metrics_currency;
	if (c->req->want_json) {
		json_t *stages = json_array(), *deals = json_array();
		for (int i = 0; i < PQntuples(f); i++) {
			long reached = atol(PQgetvalue(f, i, 4));
			long next = i + 1 < PQntuples(f) ? atol(PQgetvalue(f, i + 1, 4)) : -1;
			json_array_append_new(stages, json_pack("{s:i, s:i, s:o, s:o, s:i, s:o}",
			    "stage_rank", atoi(PQgetvalue(f, i, 0)), "open", atoi(PQgetvalue(f, i, 1)),
			    "amount", jnum_val(f, i, 2), "weighted", jnum_val(f, i, 3),
			    "reached", (int)reached, "to_next",
			    next < 0 || reached == 0 ? json_null() : json_real((double)next / (double)reached)));
		}
		for (int i = 0; i < PQntuples(d); i++)
			json_array_append_new(deals, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:b}",
			    "opportunity_id", (json_int_t)atoll(PQgetvalue(d, i, 0)),
			    "name", jstr_val(d, i, 1), "account", jstr_val(d, i, 2),
			    "stage", jstr_val(d, i, 3), "amount", jnum_val(d, i, 4),
			    "probability", jnum_val(d, i, 5), "days_in_stage", jnum_val(d, i, 6),
			    "stalled", !PQgetisnull(d, i, 6) && atoi(PQgetvalue(d, i, 6)) > stall));
		send_json(c, json_pack("{s:o, s:o, s:{s:o, s:o}}", "stages", stages, "deals", deals,
		    "forecast", "month", jnum_val(fc, 0, 5), "quarter", jnum_val(fc, 0, 6)));
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
	fmt_money(b, sizeof b, atof(PQgetvalue(fc, 0, 5)), cur, 1, c->lang);
	html_num(o, b);
	out_raw(o, " \xC2\xB7 ");
	html_text(o, _("this quarter"));
	out_raw(o, " ");
	fmt_money(b, sizeof b, atof(PQgetvalue(fc, 0, 6)), cur, 1, c->lang);
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
	for (int i = 0; i < PQntuples(f); i++) {
		long reached = atol(PQgetvalue(f, i, 4));
		long next = i + 1 < PQntuples(f) ? atol(PQgetvalue(f, i + 1, 4)) : -1;
		out_rawf(o, "<tr><td>%d. ", atoi(PQgetvalue(f, i, 0)));
		html_text(o, layer_label(atoi(PQgetvalue(f, i, 0))));
		out_rawf(o, "</td><td class=\"num\">%d</td><td class=\"num\">", atoi(PQgetvalue(f, i, 1)));
		fmt_money(b, sizeof b, atof(PQgetvalue(f, i, 2)), cur, 1, c->lang);
		html_num(o, b);
		out_raw(o, "</td><td class=\"num\">");
		fmt_money(b, sizeof b, atof(PQgetvalue(f, i, 3)), cur, 1, c->lang);
		html_num(o, b);
		out_rawf(o, "</td><td class=\"num\">%ld</td><td class=\"num\">", reached);
		if (next >= 0 && reached > 0) {
			fmt_percent(b, sizeof b, (double)next / (double)reached, 0);
			html_num(o, b);
		}
		out_raw(o, "</td></tr>");
	}
	out_raw(o, "</table><h2>");
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
