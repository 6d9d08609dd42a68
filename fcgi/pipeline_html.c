/* The pipeline panel as HTML (data: pipeline.c). */
#include <stdlib.h>

#include "pipeline.h"
#include "label.h"
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

static void
layer_html(struct ctx *c, const struct layer *l, int k)
{
	struct out *o = c->out;
	const char *cur = c->cfg->metrics_currency;
	char b[64];
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

static void
funnel_html(struct ctx *c, const struct pipeline_view *v)
{
	struct out *o = c->out;
	out_raw(o, "<table class=\"list funnel\">");
	static const char *const heads[] = { N_("Stage"), N_("Open deals"), N_("Amount"),
	                                     N_("Weighted"), N_("Reached in 12 months"),
	                                     N_("On to the next stage") };
	panel_thead(c, heads, 6, 0x3eu);	/* all but the first are numbers */
	for (int k = 0; k < 5; k++)
		layer_html(c, v->l, k);
	out_raw(o, "</table><p class=\"asof\">");
	if (v->as_of == NULL) {
		html_text(o, _("Metrics not computed yet."));
	} else {
		html_text(o, _("Reached: deals created in the 12 months up to"));
		out_raw(o, " ");
		html_text(o, v->as_of);
	}
	out_raw(o, "</p>");
}

static void
deal_row(struct ctx *c, const struct rows *d, int i)
{
	struct out *o = c->out;
	char b[64];
	int stalled = pipeline_stalled(c, d, i);
	out_rawf(o, "<tr%s><td><a href=\"/crmx/deals/%lld\">", stalled ? " class=\"stalled\"" : "",
	         atoll(rows_s(d, i, PD_ID)));
	html_text(o, rows_s(d, i, PD_NAME));
	out_raw(o, "</a></td>");
	panel_td(c, NULL, rows_s(d, i, PD_ACCOUNT));
	panel_td(c, NULL, crm_label(LABEL_STAGE, rows_s(d, i, PD_STAGE)));
	fmt_amount(b, sizeof b, rows_num(d, i, PD_AMOUNT), c->cfg->metrics_currency, c->lang);
	panel_td(c, "num", b);
	out_raw(o, "<td class=\"num\">");
	html_text(o, rows_s(d, i, PD_DAYS));
	if (stalled) {
		out_raw(o, " <span class=\"flag\">");
		html_text(o, _("stalled"));
		out_raw(o, "</span>");
	}
	out_raw(o, "</td></tr>");
}

static void
deals_html(struct ctx *c, const struct rows *d)
{
	struct out *o = c->out;
	out_raw(o, "<h2>");
	html_text(o, _("Open deals by priority"));
	out_raw(o, "</h2><table class=\"list\">");
	static const char *const heads[] = { N_("Deal"), N_("Account"), N_("Stage"), N_("Amount"),
	                                     N_("Days in stage") };
	panel_thead(c, heads, 5, 1u << 3 | 1u << 4);
	for (int i = 0; i < d->n; i++)
		deal_row(c, d, i);
	out_raw(o, "</table>");
}

void
pipeline_html(struct ctx *c, const struct pipeline_view *v)
{
	page_begin(c, _("Pipeline"));
	forecast_html(c, v);
	funnel_html(c, v);
	deals_html(c, &v->deals);
	page_end(c);
}
