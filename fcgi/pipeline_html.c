/* The pipeline panel as HTML (data: pipeline.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "label.h"
#include "pipeline.h"
#include "util.h"

static void
forecast_html(struct ctx *c, const struct pipeline_view *v)
{
	struct out *o = c->out;
	const char *cur = c->cfg->metrics_currency;
	char b[64];
	out_raw(o, "<h1>");
	html_text(o, _("Pipeline"));
	out_raw(o, "</h1><p class=\"meta\">");
	html_text(o, _("Weighted forecast"));
	out_raw(o, ": ");
	html_text(o, _("this month"));
	out_raw(o, " ");
	fmt_money(b, sizeof b, v->month, cur, 1, c->lang);
	html_num(o, b);
	out_raw(o, " \xC2\xB7 ");
	html_text(o, _("this quarter"));
	out_raw(o, " ");
	fmt_money(b, sizeof b, v->quarter, cur, 1, c->lang);
	html_num(o, b);
	out_raw(o, "</p>");
}

/* The one definition of stage-to-stage conversion (docs/metrics.md §3), shown
 * under the funnel here and in the report. */
static const char conversion_note[] =
    N_("On to the next stage: of the deals created in the 12 months that reached a stage "
       "and have left it or are closed, the share that reached the next stage (deals still "
       "in the stage are not counted yet). The weekly report shows the same figure.");

static void
layer_html(struct ctx *c, const struct layer *l, int k)
{
	struct out *o = c->out;
	const char *cur = c->cfg->metrics_currency;
	char b[64];
	/* the stage's name as the charts and the deal tables say it; the
	 * layer's description on hover */
	out_raw(o, "<tr><td title=\"");
	html_text(o, funnel_layer(k + 1, 0));
	out_rawf(o, "\">%d. ", k + 1);
	html_text(o, funnel_layer(k + 1, 1));
	fmt_number(b, sizeof b, l[k].open, 0);
	out_raw(o, "</td><td class=\"num\">");
	html_num(o, b);
	out_raw(o, "</td><td class=\"num\">");
	fmt_money(b, sizeof b, l[k].amount, cur, 1, c->lang);
	html_num(o, b);
	out_raw(o, "</td><td class=\"num\">");
	fmt_money(b, sizeof b, l[k].weighted, cur, 1, c->lang);
	html_num(o, b);
	out_raw(o, "</td><td class=\"num\">");
	if (l[k].reached >= 0) {
		fmt_number(b, sizeof b, (double)l[k].reached, 0);
		html_num(o, b);
	} else
		html_text(o, "\xE2\x80\x94");
	out_raw(o, "</td><td class=\"num\" title=\"");
	html_text(o, _(conversion_note));
	out_raw(o, "\">");
	double conv = pipeline_conversion(l, k);
	if (!isnan(conv)) {
		fmt_percent(b, sizeof b, conv, 0);
		html_num(o, b);
	}
	out_raw(o, "</td><td class=\"num\">");
	if (!isnan(l[k].median_days)) {
		fmt_number(b, sizeof b, l[k].median_days, 0);
		html_num(o, b);
	} else {
		html_text(o, "\xE2\x80\x94");
	}
	out_raw(o, "</td></tr>");
}

static void
funnel_html(struct ctx *c, const struct pipeline_view *v)
{
	struct out *o = c->out;
	out_raw(o, "<table class=\"list funnel\">");
	static const char *const heads[] = { N_("Stage"), N_("Open deals"), N_("Amount"),
	                                     N_("Weighted"), N_("Reached in 12 months"),
	                                     N_("On to the next stage"),
	                                     N_("Median days in stage") };
	panel_thead(c, heads, 7, 0x7eu);	/* all but the first are numbers */
	for (int k = 0; k < 5; k++)
		layer_html(c, v->l, k);
	out_raw(o, "</table><p class=\"asof\">");
	if (v->as_of == NULL) {
		html_text(o, _("Metrics not computed yet."));
	} else {
		char d[64];
		html_text(o, _("Reached: deals created in the 12 months up to"));
		out_raw(o, " ");
		html_text(o, panel_date(c, v->as_of, d, sizeof d));
		out_raw(o, ". ");
		html_text(o, _("Median days in stage: stays that ended in those 12 months, all deals."));
	}
	out_raw(o, "</p><p class=\"note footnote\">");
	html_text(o, _(conversion_note));
	out_raw(o, "</p>");
}

/* A share as a percentage cell; a dash when NULL. */
static void
percent_td(struct ctx *c, const char *cls, const struct rows *d, int i, int f)
{
	char b[64];
	if (rows_null(d, i, f))
		panel_td(c, cls, "\xE2\x80\x94");
	else {
		fmt_percent(b, sizeof b, rows_num(d, i, f), 0);
		panel_td(c, cls, b);
	}
}

static void
deal_row(struct ctx *c, const struct rows *d, int i)
{
	struct out *o = c->out;
	char b[64];
	int stalled = pipeline_stalled(c, d, i);
	out_raw(o, stalled ? "<tr class=\"stalled\"><td><a href=\"/crmx/deals/" :
	           "<tr><td><a href=\"/crmx/deals/");
	out_int(o, atoll(rows_s(d, i, PD_ID)));
	out_raw(o, "\">");
	html_text(o, rows_s(d, i, PD_NAME));
	out_raw(o, "</a></td>");
	panel_td(c, NULL, rows_s(d, i, PD_ACCOUNT));
	panel_td(c, NULL, crm_label(LABEL_STAGE, rows_s(d, i, PD_STAGE)));
	fmt_amount(b, sizeof b, rows_num(d, i, PD_AMOUNT), c->cfg->metrics_currency, c->lang);
	panel_td(c, "num", b);
	percent_td(c, "num", d, i, PD_PROBABILITY);
	percent_td(c, "num learned", d, i, PD_LEARNED);
	out_raw(o, "<td class=\"num\">");
	html_text(o, rows_s(d, i, PD_DAYS));
	if (stalled) {
		out_raw(o, " <span class=\"flag\">");
		html_text(o, _("stalled"));
		out_raw(o, "</span>");
	}
	out_raw(o, "</td></tr>");
}

/* The open deals: search box, count, sortable heads, a page, pager. */
static void
deals_html(struct ctx *c, const struct pipeline_view *v)
{
	struct out *o = c->out;
	const struct listnav *l = &v->nav;
	static const char *const controls[] = { "sort" };
	static const char *const sorts[] = { "priority", N_("Priority"), "amount", N_("Amount"),
	                                     "days", N_("Days in stage"), "account", N_("Account"),
	                                     "name", N_("Deal") };
	out_raw(o, "<h2 id=\"deals\">");
	html_text(o, _("Open deals by priority"));
	out_raw(o, "</h2>");
	ln_form_begin(c, l, _("Account name or city"));
	ln_form_select(c, l, "sort", _("Sort by"), sorts, 5, 1);
	ln_form_end(c, l, controls, 1);
	ln_count_html(c, l);
	out_raw(o, "<table class=\"list deals\"><tr>");
	ln_sort_th(c, l, _("Deal"), "name", 0);
	ln_sort_th(c, l, _("Account"), "account", 0);
	out_raw(o, "<th>");
	html_text(o, _("Stage"));
	out_raw(o, "</th>");
	ln_sort_th(c, l, _("Amount"), "amount", 1);
	out_raw(o, "<th class=\"num\">");
	html_text(o, _("Probability"));
	out_raw(o, "</th><th class=\"num\">");
	html_text(o, _("Learned chance"));
	out_raw(o, "</th>");
	ln_sort_th(c, l, _("Days in stage"), "days", 1);
	out_raw(o, "</tr>");
	for (int i = 0; i < l->shown; i++)
		deal_row(c, &v->deals, i);
	out_raw(o, "</table>");
	if (l->shown == 0)
		panel_para(c, "note", _("No open deal matches."));
	if (v->keeps != NULL)
		panel_para(c, "note keeps", v->keeps);
	ln_pager_html(c, l);
}

/* One rep's forecast accuracy over the last closed months (team.h). */
static void
accuracy_para(struct ctx *c, const struct pipeline_view *v)
{
	if (!v->one_owner)
		return;
	out_raw(c->out, "<p class=\"meta accuracy\">");
	html_text(c->out, _("Forecast accuracy"));
	out_raw(c->out, ": ");
	accuracy_html(c, &v->acc);
	out_raw(c->out, "</p>");
}

/* Lost deals of the 12 months by reason: how many and how much. */
static void
lost_html(struct ctx *c, const struct rows *r)
{
	struct out *o = c->out;
	char b[64];
	out_raw(o, "<h2 id=\"lost\">");
	html_text(o, _("Lost reasons, last 12 months"));
	out_raw(o, "</h2>");
	if (r->n == 0) {
		panel_para(c, "note", _("No deals lost in the last 12 months."));
		return;
	}
	static const char *const heads[] = { N_("Lost reason"), N_("Deals"), N_("Amount") };
	out_raw(o, "<table class=\"list lost\">");
	panel_thead(c, heads, 3, 1u << 1 | 1u << 2);
	for (int i = 0; i < r->n; i++) {
		out_raw(o, "<tr>");
		panel_td(c, NULL, rows_null(r, i, LR_REASON) ? _("(no reason given)") :
		         crm_label(LABEL_LOST_REASON, rows_s(r, i, LR_REASON)));
		panel_td_count(c, rows_s(r, i, LR_DEALS));
		fmt_amount(b, sizeof b, rows_num(r, i, LR_AMOUNT), c->cfg->metrics_currency, c->lang);
		panel_td(c, "num", b);
		out_raw(o, "</tr>");
	}
	out_raw(o, "</table>");
}

/* Won / (won + lost) of the deals closed in the 12 months, by source. */
static void
sources_html(struct ctx *c, const struct rows *r)
{
	struct out *o = c->out;
	char b[64];
	out_raw(o, "<h2 id=\"sources\">");
	html_text(o, _("Win rate by source, last 12 months"));
	out_raw(o, "</h2>");
	if (r->n == 0) {
		panel_para(c, "note", _("No deals closed in the last 12 months."));
		return;
	}
	static const char *const heads[] = { N_("Source"), N_("Won deals"), N_("Lost deals"), N_("Win rate") };
	out_raw(o, "<table class=\"list sources\">");
	panel_thead(c, heads, 4, 1u << 1 | 1u << 2 | 1u << 3);
	for (int i = 0; i < r->n; i++) {
		long won = atol(rows_s(r, i, WS_WON)), lost = atol(rows_s(r, i, WS_LOST));
		out_raw(o, "<tr>");
		panel_td(c, NULL, crm_label(LABEL_SOURCE, rows_s(r, i, WS_SOURCE)));
		panel_td_count(c, rows_s(r, i, WS_WON));
		panel_td_count(c, rows_s(r, i, WS_LOST));
		fmt_percent(b, sizeof b, won + lost > 0 ? (double)won / (double)(won + lost) : NAN, 0);
		panel_td(c, "num", b);
		out_raw(o, "</tr>");
	}
	out_raw(o, "</table>");
}

void
pipeline_html(struct ctx *c, const struct pipeline_view *v)
{
	page_begin(c, _("Pipeline"));
	forecast_html(c, v);
	accuracy_para(c, v);
	funnel_html(c, v);
	deals_html(c, v);
	lost_html(c, &v->lost);
	sources_html(c, &v->sources);
	page_end(c);
}
