/* The deal panel as HTML (data: deal.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deal.h"
#include "label.h"
#include "util.h"
#include "winfeature.h"

static const char *
step_label(const char *key)
{
	for (const char *const *s = review_fields[0].choices; *s; s += 2)
		if (strcmp(key, s[0]) == 0)
			return _(s[1]);
	return key;
}

static const char *
outcome_label(const char *o)
{
	return strcmp(o, "won") == 0 ? _("won") : strcmp(o, "lost") == 0 ? _("lost") : _("open");
}

static void
reviews_html(struct ctx *c, const struct rows *rv)
{
	struct out *o = c->out;
	char when[64];
	for (int i = 0; i < rv->n; i++) {
		out_raw(o, i == 0 ? "<div class=\"review latest\">" : "<div class=\"review\">");
		out_raw(o, "<p class=\"meta\">");
		html_text(o, panel_date(c, rows_s(rv, i, RV_CREATED_AT), when, sizeof when));
		out_raw(o, " \xC2\xB7 ");
		html_text(o, rows_s(rv, i, RV_CREATED_BY));
		out_raw(o, "</p><dl>");
		for (int k = 0; k < NREVIEW; k++) {
			out_raw(o, "<dt>");
			html_text(o, _(review_fields[k].label));
			out_raw(o, "</dt><dd>");
			html_text(o, k == 0 ? step_label(rows_s(rv, i, RV_STEP)) :
			             rows_s(rv, i, RV_STEP + k));
			out_raw(o, "</dd>");
		}
		out_raw(o, "</dl></div>");
		if (i == 0 && rv->n > 1) {
			out_raw(o, "<details class=\"history\"><summary>");
			html_text(o, _("Earlier reviews"));
			out_raw(o, "</summary>");
		}
	}
	if (rv->n > 1)
		out_raw(o, "</details>");
}

/* The learned close probability beside the stage weight, and what moves
 * it most, in words. */
static void
learned_html(struct ctx *c, const struct rows *f)
{
	char b[64], words[1024];
	if (f->n != 1 || rows_null(f, 0, DF_PROBABILITY))
		return;
	fmt_percent(b, sizeof b, rows_num(f, 0, DF_PROBABILITY), 0);
	panel_kv(c, rows_s(f, 0, DF_USES_MODEL)[0] == 't' ?
	         _("Learned chance to close (the forecast uses it)") :
	         _("Learned chance to close (the forecast keeps the stage weights)"), b);
	winfeature_phrase(words, sizeof words, rows_s(f, 0, DF_FEATURES), rows_s(f, 0, DF_EFFECTS));
	panel_kv(c, _("What moves it most"), words);
}

/* The deal's facts as a key-value table. */
static void
facts_html(struct ctx *c, const struct rows *d, const struct rows *fc)
{
	const char *cur = c->cfg->metrics_currency;
	char b[64];
	out_raw(c->out, "<table class=\"kv\">");
	int rank = rows_null(d, 0, DL_RANK) ? 0 : atoi(rows_s(d, 0, DL_RANK));
	panel_kv(c, _("Stage"), crm_label(LABEL_STAGE, rows_s(d, 0, DL_STAGE)));
	panel_kv(c, _("Funnel layer"), funnel_layer(rank, 0));
	panel_kv(c, _("Outcome"), outcome_label(rows_s(d, 0, DL_OUTCOME)));
	if (!rows_null(d, 0, DL_LOST_REASON))
		panel_kv(c, _("Lost reason"), crm_label(LABEL_LOST_REASON, rows_s(d, 0, DL_LOST_REASON)));
	fmt_amount(b, sizeof b, rows_num(d, 0, DL_AMOUNT), cur, c->lang);
	panel_kv(c, _("Amount"), b);
	if (!rows_null(d, 0, DL_PROBABILITY)) {
		fmt_percent(b, sizeof b, rows_num(d, 0, DL_PROBABILITY), 0);
		panel_kv(c, _("Probability"), b);
		fmt_amount(b, sizeof b, rows_num(d, 0, DL_AMOUNT) * rows_num(d, 0, DL_PROBABILITY),
		           cur, c->lang);
		panel_kv(c, _("Weighted"), b);
	}
	learned_html(c, fc);
	panel_kv(c, _("Source"), crm_label(LABEL_SOURCE, rows_s(d, 0, DL_SOURCE)));
	panel_kv(c, _("Created"), panel_date(c, rows_s(d, 0, DL_CREATED_AT), b, sizeof b));
	panel_kv(c, _("Expected close"), panel_date(c, rows_s(d, 0, DL_EXPECTED_CLOSE), b, sizeof b));
	if (!rows_null(d, 0, DL_CLOSED_AT))
		panel_kv(c, _("Closed"), panel_date(c, rows_s(d, 0, DL_CLOSED_AT), b, sizeof b));
	else
		panel_kv(c, _("Days in stage"), rows_s(d, 0, DL_DAYS_IN_STAGE));
	out_raw(c->out, "</table>");
}

static void
history_html(struct ctx *c, const struct rows *h)
{
	struct out *o = c->out;
	char b[64];
	panel_h2(c, _("Stage history"));
	out_raw(o, "<table class=\"list\">");
	static const char *const heads[] = { N_("Funnel layer"), N_("Entered"), N_("Days") };
	panel_thead(c, heads, 3, 1u << 2);
	for (int i = 0; i < h->n; i++) {
		int rank = atoi(rows_s(h, i, SH_RANK));
		out_rawf(o, "<tr><td>%d. ", rank);
		html_text(o, funnel_layer(rank, 0));
		out_raw(o, "</td>");
		panel_td(c, NULL, panel_date(c, rows_s(h, i, SH_ENTERED_AT), b, sizeof b));
		panel_td(c, "num", rows_s(h, i, SH_DAYS));
		out_raw(o, "</tr>");
	}
	out_raw(o, "</table>");
}

static void
review_html(struct ctx *c, const struct deal_view *v)
{
	struct out *o = c->out;
	out_raw(o, "<h2 id=\"review\">");
	html_text(o, _("Deal review"));
	out_raw(o, "</h2>");
	if (v->reviews.n == 0 && v->errors == NULL)
		panel_para(c, "note", _("Not reviewed yet."));
	if (v->errors != NULL)
		panel_para(c, "error", _("Not saved: please correct the fields marked below."));
	else if (request_param(c->req, "saved") != NULL)
		panel_para(c, "saved", _("Saved."));
	char action[64];
	snprintf(action, sizeof action, "/crmx/deals/%lld%s", (long long)v->id,
	         c->embed ? "?embed=1" : "");
	form_html(c, action, _("Save review"), review_fields, NREVIEW, v->values, v->errors);
	reviews_html(c, &v->reviews);
}

void
deal_html(struct ctx *c, const struct deal_view *v)
{
	struct out *o = c->out;
	const struct rows *d = &v->d;
	page_begin(c, rows_s(d, 0, DL_NAME));
	out_raw(o, "<h1>");
	html_text(o, rows_s(d, 0, DL_NAME));
	out_rawf(o, "</h1><p class=\"meta\"><a href=\"/crmx/accounts/%lld\">",
	         atoll(rows_s(d, 0, DL_ACCOUNT_ID)));
	html_text(o, rows_s(d, 0, DL_ACCOUNT));
	out_raw(o, "</a> \xC2\xB7 ");
	html_text(o, rows_s(d, 0, DL_OWNER));
	out_raw(o, "</p>");
	if (!v->has_dm)
		panel_para(c, "warn", _("No decision maker known: find the key person."));
	facts_html(c, d, &v->fc);
	history_html(c, &v->history);
	review_html(c, v);
	page_end(c);
}
